/** The slice of bittorrent-dht 11.0 that discovery/ uses (the package ships no types). */
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:dgram';

  export interface DhtNodeAddress {
    host: string;
    port: number;
    id?: Buffer;
  }

  export interface DhtOptions {
    bootstrap?: false | (string | { host: string; port: number })[];
    nodeId?: Buffer;
    host?: string;
    maxTables?: number;
    maxValues?: number;
    maxPeers?: number;
    maxAge?: number;
    timeout?: number;
    concurrency?: number;
    socket?: Socket;
  }

  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions);
    readonly nodeId: Buffer;
    readonly ready: boolean;
    readonly destroyed: boolean;
    readonly listening: boolean;
    /** The routing table (a k-bucket). */
    readonly nodes: { toArray(): { host: string; port: number; id: Buffer }[]; count(): number };
    listen(port: number, address: string, onListening?: () => void): void;
    address(): { address: string; port: number; family: string };
    addNode(node: DhtNodeAddress): void;
    announce(infoHash: Buffer, port: number, cb?: (error: Error | null) => void): void;
    lookup(infoHash: Buffer, cb?: (error: Error | null, nodesVisited?: number) => void): () => void;
    toJSON(): { nodes: { host: string; port: number; id?: string }[] };
    destroy(cb?: () => void): void;
  }
}
