/**
 * Outbound links for one torrent: dials host:port on the "torrent <infohash>" channel
 * through the node (always the secure channel; expecting the key when it is known),
 * retries network failures with backoff, gives up at once on refusals, and redials a
 * link that drops. Remembers why each address failed, to explain a download that
 * cannot start.
 */
import { EventEmitter } from 'node:events';
import { decodeKeyText } from '../identity/key-text.js';
import { formatPeerAddress, type PeerAddress } from '../net/peer-address.js';
import { torrentChannel } from '../net/channel-name.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';

const DIAL_BACKOFF_MS = [500, 1000, 2000, 4000];

export interface DialFailure {
  address: string;
  key?: string;
  error: unknown;
}

interface DialState {
  address: PeerAddress;
  keyText?: string;
  attempts: number;
  isActive: boolean;
  lastError?: unknown;
  isExhausted: boolean;
}

export interface TorrentDialerOptions {
  node: LinkNode;
  infoHash: string;
  /** Takes a new link; false if refused (the dialer then closes it and stops). */
  attach(link: PeerLink): boolean;
  /** Whether a live link to this key exists (no need to dial or redial). */
  isConnected(keyText: string): boolean;
}

/** Emits 'dial-failed' (DialFailure) when an address is given up. */
const MAX_TRACKED_ADDRESSES = 512;

export class TorrentDialer extends EventEmitter {
  private readonly dials = new Map<string, DialState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private isClosed = false;

  constructor(private readonly options: TorrentDialerOptions) {
    super();
  }

  dial(address: PeerAddress, keyText?: string): void {
    if (this.isClosed || (keyText && this.options.isConnected(keyText))) return;
    const id = formatPeerAddress(address);
    const existing = this.dials.get(id);
    if (existing && !existing.isExhausted) return;
    // Addresses also come from peers (swarm_pex): bound how many we ever track.
    if (!existing && this.dials.size >= MAX_TRACKED_ADDRESSES) return;
    const state: DialState = { address, keyText, attempts: 0, isActive: false, isExhausted: false };
    this.dials.set(id, state);
    this.attempt(state);
  }

  /** True while a dial expecting this key may still succeed. */
  isDialing(keyText: string): boolean {
    for (const state of this.dials.values()) if (state.keyText === keyText && !state.isExhausted) return true;
    return false;
  }

  /** True while some dial may still succeed. */
  get hasPending(): boolean {
    for (const state of this.dials.values()) if (!state.isExhausted) return true;
    return false;
  }

  failures(): DialFailure[] {
    return [...this.dials.values()].filter((s) => s.isExhausted).map((s) => failureOf(s, s.lastError));
  }

  close(): void {
    this.isClosed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private attempt(state: DialState): void {
    if (this.isClosed) return;
    state.isActive = true;
    state.attempts += 1;
    const expectedKey = state.keyText ? decodeKeyText(state.keyText) : undefined;
    this.options.node
      .connect(state.address.host, state.address.port, torrentChannel(this.options.infoHash), expectedKey ? { expectedKey } : undefined)
      .then(
        (link) => {
          state.isActive = false;
          state.attempts = 0;
          if (this.isClosed) return link.close();
          if (this.options.attach(link)) {
            link.stream.on('close', () => this.retryLater(state));
            return;
          }
          link.close();
          this.giveUp(state, new Error('refused by us after connecting'));
        },
        (error: unknown) => {
          state.isActive = false;
          state.lastError = error;
          if (isPermanentDialError(error) || state.attempts > DIAL_BACKOFF_MS.length) this.giveUp(state, error);
          else this.retryLater(state);
        },
      );
  }

  private giveUp(state: DialState, error: unknown): void {
    state.isExhausted = true;
    state.lastError ??= error;
    this.emit('dial-failed', failureOf(state, error));
  }

  private retryLater(state: DialState): void {
    if (this.isClosed || state.isExhausted) return;
    const delay = DIAL_BACKOFF_MS[Math.min(state.attempts, DIAL_BACKOFF_MS.length - 1)]!;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (state.keyText && this.options.isConnected(state.keyText)) return;
      this.attempt(state);
    }, delay);
    this.timers.add(timer);
  }
}

function failureOf(state: DialState, error: unknown): DialFailure {
  return { address: formatPeerAddress(state.address), key: state.keyText, error };
}

/**
 * Authentication and refusal errors (UNTRUSTED_PEER, WRONG_PEER_KEY, REFUSED_BY_PEER, …)
 * will not change on retry; a refused TCP connect or a timeout may.
 */
export function isPermanentDialError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return !/^(CONNECT_FAILED|HANDSHAKE_TIMEOUT|CONNECTION_CLOSED|TRUNCATED|E[A-Z]+)$/.test(code);
}
