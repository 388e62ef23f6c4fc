/** An authenticated, encrypted connection on one channel, as handed to chat/ and share/. */
import { encodeKeyText } from '../identity/key-text.js';
import type { SecureChannel } from '../secure/secure-channel.js';
import type { StreamxDuplex } from '../secure/streamx-duplex.js';
import type { ChannelKind } from './channel-name.js';
import { probeLink } from './link-liveness.js';

export interface PeerLink {
  /** Authenticated Ed25519 public key of the remote node. */
  remoteKey: Uint8Array;
  remoteKeyText: string;
  /** "chat" | "torrent <40-hex infohash>" */
  channel: string;
  remoteHost: string;
  remotePort: number;
  isInitiator: boolean;
  /** "host:port" of the relay this link runs through (its remoteHost/Port are the relay's), if relayed. */
  via?: string;
  /** Made by a simultaneous open (relay/hole-punch.ts): remoteHost/Port are no listening address. */
  isPunched?: boolean;
  /**
   * Decrypted application bytes (a streamx Duplex); no message boundaries are promised.
   * Use write / on('data') / end / destroy / on('close'|'error'); an 'error' is emitted only
   * when a listener is attached (a tampered frame, a truncated connection), and is also kept
   * in `closeError()`.
   */
  stream: StreamxDuplex;
  close(): void;
  /** Why the link closed, if it failed; undefined while open or after a clean end. */
  closeError(): Error | undefined;
  /**
   * Asks the peer to show it is alive (a PING): true if anything arrives within `withinMs`
   * (default ~1.5 s); otherwise the link is closed as dead (LINK_TIMEOUT) and it is false.
   */
  probe(withinMs?: number): Promise<boolean>;
}

/**
 * What chat/ and share/ need from a node: SwarmNode has this shape. They take the shape,
 * not the class, so they depend on three methods rather than on all of net/.
 */
export interface LinkNode {
  /** Dials host:port and opens `channel`; rejects when unreachable, refused or (with expectedKey) someone else. */
  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<PeerLink>;
  /** Takes every inbound link on channels of this kind; the handler returns false or a reason (net/refusal-reason.ts) to refuse one. */
  handle(kind: ChannelKind, handler: (link: PeerLink) => void | boolean | string): void;
  /** The keys on the node's trust list (share/'s swarm_pex `accept`). */
  trustedKeys?(): Uint8Array[];
}

export function createPeerLink(channel: SecureChannel, remoteHost: string, remotePort: number, via?: string): PeerLink {
  return {
    ...(via === undefined ? {} : { via }),
    remoteKey: channel.remoteKey,
    remoteKeyText: encodeKeyText(channel.remoteKey),
    channel: channel.channel,
    remoteHost,
    remotePort,
    isInitiator: channel.isInitiator,
    stream: channel.stream,
    close: () => channel.close(),
    closeError: () => channel.closeError,
    probe: (withinMs) => probeLink(channel, withinMs),
  };
}
