/**
 * The slice of webtorrent 2.8.x (and its bittorrent-protocol wires) that share/ uses.
 * webtorrent ships no types; these describe only what we call, and the private members
 * share/ reaches into (pinned versions). Every such reach goes through
 * webtorrent-internals.ts, which checks each one when a client is created and names the
 * module relying on it.
 */
declare module 'webtorrent' {
  import { EventEmitter } from 'node:events';

  export interface Wire extends EventEmitter {
    peerId: string;
    remoteAddress?: string;
    remotePort?: number;
    destroyed: boolean;
    downloaded: number;
    uploaded: number;
    amChoking: boolean;
    amInterested: boolean;
    peerChoking: boolean;
    peerInterested: boolean;
    isSeeder?: boolean;
    requests: unknown[];
    peerRequests: unknown[];
    peerPieces: { get(index: number): boolean };
    peerExtendedHandshake: Record<string, unknown>;
    /** Records `bytes` (bittorrent-protocol does, per block) and returns bytes per second. */
    downloadSpeed(bytes?: number): number;
    /** The real speed, kept by torrent-peers.ts when it floors downloadSpeed for pipelining. */
    measuredDownloadSpeed?: () => number;
    uploadSpeed(): number;
    choke(): void;
    unchoke(): void;
    interested(): void;
    uninterested(): void;
    destroy(): void;
    use(extension: unknown): void;
    extended(ext: string | number, message: Uint8Array | Record<string, unknown>): void;
    [extension: string]: unknown;
  }

  export interface TorrentFile {
    name: string;
    path: string;
    length: number;
    /** Byte offset of the file in the torrent's concatenated content. */
    offset: number;
  }

  /** A piece being downloaded (webtorrent's Piece, from the torrent-piece package). */
  export interface TorrentPiece {
    _reservations: number;
    _chunks: number;
    _cancellations: number[] | null;
  }

  export interface RarityMap {
    _pieces: number[];
    _numPieces: number;
    getRarestPiece(filter?: (index: number) => boolean): number;
  }

  export interface TorrentStore {
    put(index: number, buf: Uint8Array, cb?: (err?: Error | null) => void): void;
  }

  export interface InternalPeer {
    id: string;
    wire: Wire | null;
    conn: unknown;
    destroy(err?: Error): void;
  }

  export interface Torrent extends EventEmitter {
    infoHash: string;
    name: string;
    length: number;
    pieceLength: number;
    /** The last piece is usually shorter. */
    lastPieceLength: number;
    path: string;
    files: TorrentFile[];
    /** null once a piece is verified. */
    pieces: (TorrentPiece | null)[];
    store: TorrentStore | null;
    wires: Wire[];
    ready: boolean;
    done: boolean;
    destroyed: boolean;
    downloaded: number;
    received: number;
    uploaded: number;
    progress: number;
    downloadSpeed: number;
    uploadSpeed: number;
    timeRemaining: number;
    numPeers: number;
    strategy: string;
    metadata: Uint8Array | null;
    bitfield: { get(index: number): boolean };
    addPeer(peer: unknown, source?: string): boolean;
    removePeer(peer: unknown): void;
    destroy(opts?: unknown, cb?: (err?: Error | null) => void): void;
    // private members we wrap on purpose (see locked-client.ts, metadata-guard.ts)
    _addPeer(peer: unknown, type: string, source?: string): unknown;
    _onMetadata(metadata: unknown): Promise<void> | void;
    _rechoke(): void;
    _peers: Map<string, InternalPeer>;
    _update(): void;
    _updateWire(wire: Wire): unknown;
    _request(wire: Wire, index: number, hotswap: boolean): boolean;
    /** Created with the metadata. */
    _rarityMap?: RarityMap;
  }

  export interface TorrentOptions {
    path?: string;
    announce?: string[];
    private?: boolean;
    strategy?: 'rarest' | 'sequential';
    name?: string;
    pieceLength?: number;
    createdBy?: string;
    uploads?: number;
    urlList?: string[];
    skipVerify?: boolean;
    storeCacheSlots?: number;
    /** A chunk store class: `new store(pieceLength, { path, files, length, ... })`. */
    store?: new (chunkLength: number, options: any) => unknown;
    /** Spread into the store's options when webtorrent builds it (after the metadata). */
    storeOpts?: object;
  }

  export interface ClientOptions {
    dht?: boolean;
    tracker?: boolean;
    lsd?: boolean;
    utp?: boolean;
    utPex?: boolean;
    natUpnp?: boolean;
    natPmp?: boolean;
    webSeeds?: boolean;
    torrentPort?: number;
    uploadLimit?: number;
    downloadLimit?: number;
    maxConns?: number;
    seedOutgoingConnections?: boolean;
  }

  export default class WebTorrent extends EventEmitter {
    constructor(opts?: ClientOptions);
    listening: boolean;
    destroyed: boolean;
    peerId: string;
    torrents: Torrent[];
    _connPool: { tcpServer: import('node:net').Server; destroy(cb?: (err?: Error | null) => void): void } | null;
    add(torrentId: string | Uint8Array, opts?: TorrentOptions, ontorrent?: (torrent: Torrent) => void): Torrent;
    seed(input: string | string[], opts?: TorrentOptions, onseed?: (torrent: Torrent) => void): Torrent;
    throttleUpload(rate: number): void;
    throttleDownload(rate: number): void;
    destroy(cb?: (err?: Error | null) => void): void;
    static VERSION: string;
  }
}

declare module 'bittorrent-protocol' {
  import type { Wire } from 'webtorrent';
  const WireClass: {
    new (type?: string | null, retries?: number, peEnabled?: boolean): Wire & import('node:stream').Duplex;
    prototype: Wire & { _onMessageLength(buffer: Uint8Array): void };
  };
  export default WireClass;
}
