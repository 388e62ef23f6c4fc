/**
 * What share/ needs from the node (src/net SwarmNode, docs/ARCHITECTURE.md): authenticated,
 * decrypted links on "torrent <infohash>" channels. Declared structurally so share/ can
 * be driven by the real SwarmNode or by any node with the same shape.
 */
import type { EventEmitter } from 'node:events';

/** The part of a link's stream share/ uses (a streamx Duplex from net/, or a socket in tests). */
export interface LinkStream extends EventEmitter {
  write(data: Uint8Array): boolean;
  end(): unknown;
  destroy(error?: Error): void;
  pause?(): unknown;
  resume?(): unknown;
}

export interface TorrentPeerLink {
  remoteKey: Uint8Array;
  remoteKeyText: string;
  channel: string;
  remoteHost: string;
  remotePort: number;
  isInitiator: boolean;
  /** Decrypted application bytes. */
  stream: LinkStream;
  close(): void;
}

export interface TorrentNode {
  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<TorrentPeerLink>;
  handle(channel: 'torrent', handler: (link: TorrentPeerLink) => void | boolean): void;
  /** The keys on the node's trust list (for swarm_pex's `accept`); none if not given. */
  trustedKeys?(): Uint8Array[];
}

// The channel names are part of net's wire format; one definition of them, in net/.
export { infoHashOf, torrentChannel } from '../net/channel-name.js';
