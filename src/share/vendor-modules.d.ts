/** Types for the slices of streamx 2.22 and bencode 4.0 used by share/ (neither ships types). */
declare module 'streamx' {
  import { EventEmitter } from 'node:events';
  export interface DuplexOptions {
    highWaterMark?: number;
    mapWritable?: (data: unknown) => unknown;
    byteLengthReadable?: (data: unknown) => number;
    byteLengthWritable?: (data: unknown) => number;
    open?: (cb: (err?: Error | null) => void) => void;
    read?: (cb: (err?: Error | null) => void) => void;
    write?: (data: Uint8Array, cb: (err?: Error | null) => void) => void;
    writev?: (batch: Uint8Array[], cb: (err?: Error | null) => void) => void;
    final?: (cb: (err?: Error | null) => void) => void;
    predestroy?: () => void;
    destroy?: (cb: (err?: Error | null) => void) => void;
  }
  export class Duplex extends EventEmitter {
    constructor(opts?: DuplexOptions);
    push(data: Uint8Array | null): boolean;
    write(data: Uint8Array): boolean;
    end(data?: Uint8Array): this;
    destroy(err?: Error | null): void;
    pipe<T>(dest: T): T;
    destroyed: boolean;
    [key: string]: unknown;
  }
  /** True once the stream's writable side is done (its final ran): it takes no more writes. */
  export function isFinished(stream: unknown): boolean;
}

/** The slice of bencode 4.0 used by share/ (bencode ships no types). */
declare module 'bencode' {
  const bencode: {
    decode(data: Uint8Array, start?: number, end?: number, encoding?: string): any;
    encode(data: unknown): Uint8Array;
  };
  export default bencode;
}

/** webtorrent's own classes, for the internals check (webtorrent-internals.ts) only. */
declare module 'webtorrent/lib/torrent.js' {
  const TorrentClass: { prototype: object };
  export default TorrentClass;
}
declare module 'webtorrent/lib/rarity-map.js' {
  const RarityMapClass: new (torrent: object) => object;
  export default RarityMapClass;
}
declare module 'torrent-piece' {
  /** One piece being assembled; reserve() hands out its next unrequested block (-1: none left). */
  const Piece: new (length: number) => { reserve(): number };
  export default Piece;
}
declare module 'immediate-chunk-store' {
  const ImmediateChunkStore: { prototype: object };
  export default ImmediateChunkStore;
}

declare module 'ut_metadata' {
  /** BEP 9 for one wire: the default export makes the extension class (webtorrent passes its metadata, if any). */
  const utMetadata: (metadata?: Uint8Array) => new (wire: unknown) => object;
  export default utMetadata;
}
