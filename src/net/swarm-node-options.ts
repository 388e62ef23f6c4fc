/**
 * What a swarm node is given (its identity, trust policy, bounds) and what it reports about
 * connections it turned away: the types of swarm-node.ts, kept apart so that module holds
 * only the node's behaviour.
 */
import type { ErrorCode } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { AddressBook } from '../identity/known-addresses.js';
import type { HandshakeRates } from './handshake-budget.js';
import type { PeerLink } from './peer-link.js';

export interface TrustPolicy {
  allows(publicKey: Uint8Array): boolean;
  /** Every trusted key (a TrustStore has it); used to tell peers whom we accept introductions to. */
  list?(): { publicKey: Uint8Array }[];
  watch?(onChange: () => void, intervalMs?: number, onError?: (error: unknown) => void): () => void;
}

export interface SwarmNodeOptions {
  identity: Identity;
  trust: TrustPolicy;
  host?: string;
  port?: number;
  handshakeTimeoutMs?: number;
  maxPendingHandshakes?: number;
  maxPendingPerAddress?: number;
  /** How many inbound handshakes are answered per second (defaults: DEFAULT_HANDSHAKE_RATES). */
  handshakeRates?: Partial<HandshakeRates>;
  maxLinksPerPeer?: number;
  /** Largest transport frame accepted (default and maximum 65,535, the Noise limit). */
  maxFrameBytes?: number;
  trustPollMs?: number;
  /** A link that hears nothing this long is closed as dead (default: $SWARM_LINK_TIMEOUT_MS, else 15 s). */
  linkTimeoutMs?: number;
  /** Remembers which key answered at which address (dialling by address only needs a key). */
  addressBook?: AddressBook;
  /** Keys named for addresses (--peer name@host:port): dialled instead of searching. */
  pinnedKeys?: PinnedKey[];
}

export interface PinnedKey {
  host: string;
  port: number;
  key: Uint8Array;
}

/** Why a connection was turned away: an error's code, or one of the node's own. */
export type RefusalCode = ErrorCode | 'PENDING_FULL' | 'PENDING_EVICTED' | 'REVOKED' | 'CONNECTION_FAILED';

export interface Refusal {
  code: RefusalCode;
  message: string;
  /** The remote key, when the handshake had proved it (as the error's data carries it). */
  keyText?: string;
  fingerprint?: string;
  /** The short cause ("not trusted", a channel refusal's reason), when known. */
  reason?: string;
  /** True when the remote dialled us; false when we dialled it (a failed dial of ours). */
  isInbound: boolean;
  remoteHost: string;
  remotePort: number;
}

/** Returns false, or a reason (net/refusal-reason.ts), to refuse the link. */
export type ChannelHandler = (link: PeerLink) => void | boolean | string;
