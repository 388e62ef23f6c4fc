// The shapes a chat session takes and gives: its options, the trust view it needs, the
// peers and snapshots a printer reads, and the events it emits.
import type { SwarmError } from '../errors.js';
import type { TrustEntry } from '../identity/trust-store.js';
import type { PeerAddress } from '../net/peer-address.js';
import type { LinkNode } from '../net/peer-link.js';
import type { ChatHistory } from './chat-history.js';
import type { RateLimits } from './author-rate-limit.js';
import type { ChatEntry } from './chat-entry.js';
import type { RelayedPeer } from './relay-routes.js';

export interface ChatTrust {
  allows(publicKey: Uint8Array): boolean;
  nameOf(publicKey: Uint8Array): string | undefined;
  find(nameOrKeyText: string): TrustEntry | undefined;
}

export interface ChatSessionOptions {
  identity: { publicKey: Uint8Array; secretKey: Uint8Array };
  trust: ChatTrust;
  node: LinkNode;
  history: ChatHistory;
  /** --peer: each kept linked; with `keyText` (a trusted name's known address) the link must prove that key. */
  peers?: readonly (PeerAddress & { keyText?: string })[];
  /** The history window of a new link's catch-up (chat-sync.ts). */
  syncMaxAgeMs?: number;
  /** Per-author limits on received messages (DEFAULT_RATE_LIMITS when absent). */
  rateLimits?: RateLimits;
  redialMinDelayMs?: number;
  redialMaxDelayMs?: number;
}

export interface ChatPeerInfo {
  key: string;
  name: string;
  host: string;
  port: number;
  isInitiator: boolean;
  /** "host:port" of the relay the link runs through (host/port are then the relay's). */
  via?: string;
  /** On peer-leave: the key was removed from the trust list (`name` is still the one it had). */
  wasRemoved?: boolean;
}

/** A running chat as a printer sees it: copies, so nothing outside reaches into links. */
export interface ChatSnapshot {
  peers: ChatPeerInfo[];
  /** Reachable only through someone: authors heard live through a link still open. */
  relayed: RelayedPeer[];
}

export interface ChatSessionEvents {
  message: [entry: ChatEntry];
  'peer-join': [peer: ChatPeerInfo];
  'peer-leave': [peer: ChatPeerInfo];
  'dial-error': [address: string, error: unknown];
  /** Said once per author: their messages over the rate limit are being dropped. */
  'rate-limited': [author: { key: string; name: string }];
  /** Messages of an author that no peer could give us (outside their window or bounds). */
  missing: [author: { key: string; name: string }, count: number];
  /** Said once: history can no longer be written; chat goes on in memory. */
  'history-error': [error: SwarmError];
}
