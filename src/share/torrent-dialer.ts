/**
 * Outbound links for one torrent: dials host:port on the "torrent <infohash>" channel
 * through the node (always the secure channel; expecting the key when it is known),
 * retries network failures with backoff, gives up at once on refusals, and redials a
 * link that drops. Remembers why each address failed, to explain a download that
 * cannot start.
 */
import { EventEmitter } from 'node:events';
import { isPermanentError } from '../errors.js';
import { decodeKeyText } from '../identity/key-text.js';
import { formatPeerAddress, type PeerAddress } from '../net/peer-address.js';
import { torrentChannel } from '../net/channel-name.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';
import { Redial, steppedBackoff } from '../net/redial.js';

/** The wait before redialing after a link dropped, then after 1, 2, 3 or more failed dials in a row. */
const REDIAL_DELAYS_MS = [500, 1000, 2000, 4000];
/** Network failures in a row after which an address is given up. */
const MAX_FAILED_DIALS = 5;

export interface DialFailure {
  address: string;
  key?: string;
  error: unknown;
}

interface DialState {
  address: PeerAddress;
  keyText?: string;
  lastError?: unknown;
  isExhausted: boolean;
  redial?: Redial<PeerLink>;
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
    const state: DialState = { address, keyText, isExhausted: false };
    this.dials.set(id, state);
    const channel = torrentChannel(this.options.infoHash);
    const expectedKey = keyText ? decodeKeyText(keyText) : undefined;
    state.redial = new Redial<PeerLink>({
      dial: () => this.options.node.connect(address.host, address.port, channel, expectedKey ? { expectedKey } : undefined),
      run: (link) => this.run(state, link),
      backoff: steppedBackoff(REDIAL_DELAYS_MS),
      isPermanent: isPermanentError,
      maxFailures: MAX_FAILED_DIALS,
      isWanted: () => !(keyText && this.options.isConnected(keyText)),
      onError: (error) => (state.lastError = error),
      onGiveUp: (error) => this.giveUp(state, error),
    });
    state.redial.start();
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
    for (const state of this.dials.values()) state.redial?.stop();
  }

  /** Hands a new link to the torrent; resolves when it drops (false: do not redial). */
  private run(state: DialState, link: PeerLink): Promise<void | false> {
    if (this.isClosed) {
      link.close();
      return Promise.resolve(false);
    }
    if (!this.options.attach(link)) {
      link.close();
      this.giveUp(state, new Error('refused by us after connecting'));
      return Promise.resolve(false);
    }
    return new Promise((resolve) => link.stream.once('close', () => resolve()));
  }

  private giveUp(state: DialState, error: unknown): void {
    state.isExhausted = true;
    state.lastError ??= error;
    this.emit('dial-failed', failureOf(state, error));
  }
}

function failureOf(state: DialState, error: unknown): DialFailure {
  return { address: formatPeerAddress(state.address), key: state.keyText, error };
}
