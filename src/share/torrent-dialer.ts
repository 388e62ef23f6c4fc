/**
 * Outbound links for one torrent: dials host:port on the "torrent <infohash>" channel
 * through the node (always the secure channel; expecting the key when it is known), and
 * keeps at it for as long as the torrent runs: network failures and refusals that pass
 * ("starting", "busy": net/refusal-reason.ts) are retried with capped exponential backoff,
 * a link that drops is redialed, and while the network fails (or the share is starting) a
 * bare TCP connect every PROBE_EVERY_MS notices the path coming back. Only a refusal that will not pass (not
 * trusted, not allowed, not shared there) gives an address up. Remembers why each
 * address failed, to explain a download that cannot go on.
 */
import { EventEmitter } from 'node:events';
import { hasErrorCode, isPermanentError } from '../errors.js';
import { decodeKeyText } from '../identity/key-text.js';
import { connectSocket } from '../net/connect-socket.js';
import { formatPeerAddress, type PeerAddress } from '../net/peer-address.js';
import { torrentChannel } from '../net/channel-name.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';
import { exponentialBackoff, Redial } from '../net/redial.js';
import { isPassingRefusal, refusalCauseOf } from '../net/refusal-reason.js';

/** Redial waits double from MIN to MAX (jittered); a link that lived HEALTHY_AFTER_MS starts them over. */
export const REDIAL_MIN_DELAY_MS = 500;
export const REDIAL_MAX_DELAY_MS = 12_000;
const HEALTHY_AFTER_MS = 5_000;
/** How often an unreachable address is probed with a bare TCP connect between dials. */
export const PROBE_EVERY_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;

/** True when dialing again cannot help: a refusal that will not pass, a wrong key, a protocol mismatch. */
export function isFinalDialError(error: unknown): boolean {
  if (hasErrorCode(error, 'REFUSED_BY_PEER')) return !isPassingRefusal(error.reason ?? '');
  return isPermanentError(error);
}

async function isListening(address: PeerAddress): Promise<boolean> {
  const socket = await connectSocket(address.host, address.port, PROBE_TIMEOUT_MS);
  socket.destroy();
  return true;
}

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
  /** A link to this address was up in this run: its silence since is an outage, not a refusal. */
  hasLinked?: boolean;
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

/** Emits 'dial-error' (DialFailure) on every failed dial, and 'dial-failed' when an address is given up. */
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
      backoff: exponentialBackoff({ minDelayMs: REDIAL_MIN_DELAY_MS, maxDelayMs: REDIAL_MAX_DELAY_MS, healthyAfterMs: HEALTHY_AFTER_MS }),
      // A v2 node is silent to a key it does not trust (NO_ANSWER): final at first contact, but
      // a sharer that served us and then went quiet (stopped, asleep) is waited for.
      isPermanent: (error) => isFinalDialError(error) && !(state.hasLinked && hasErrorCode(error, 'NO_ANSWER')),
      isWanted: () => !(keyText && this.options.isConnected(keyText)),
      onError: (error) => {
        state.lastError = error;
        this.emit('dial-error', failureOf(state, error));
      },
      onGiveUp: (error) => this.giveUp(state, error),
      probe: () => isListening(address),
      probeEveryMs: PROBE_EVERY_MS,
      // Probed: the network failing, and a share still hashing (its end is not signalled, and
      // a dial a second is cheap next to waiting out a 12 s backoff grown during an outage).
      shouldProbe: (error) => hasErrorCode(error, 'CONNECT_FAILED') || (hasErrorCode(error, 'REFUSED_BY_PEER') && refusalCauseOf(error.reason ?? '') === 'starting'),
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

  /** The last error of every address that has one (still dialing or given up). */
  lastErrors(): DialFailure[] {
    return [...this.dials.values()].filter((s) => s.lastError !== undefined).map((s) => failureOf(s, s.lastError));
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
    state.lastError = undefined;
    state.hasLinked = true;
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
