/**
 * The relay's side (docs/protocol.md, "Relays through a trusted node"): keeps one
 * `relay register` link per trusted key, answers `relay to <key>` by sending that key a
 * CALL and splicing the caller onto the `relay back <token>` link it opens. Serves only
 * keys it trusts at both ends (the handshake already refused an untrusted caller), caps
 * streams and bytes per key, and reports counts, never contents: it has none, the two
 * ends run their own handshake inside the splice.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from '../crypto/random.js';
import { encodeKeyText, fingerprint } from '../identity/key-text.js';
import { relayRequestOf } from '../net/channel-name.js';
import type { PeerLink } from '../net/peer-link.js';
import { refusalReason } from '../net/refusal-reason.js';
import { ByteRate } from './byte-rate.js';
import { answerWhoami } from './observed-address.js';
import { encodeCall, TOKEN_BYTES } from './relay-call.js';
import { HintsReader } from './relay-hints.js';
import { splice } from './relay-splice.js';

export const DEFAULT_MAX_STREAMS_PER_KEY = 16;
export const DEFAULT_MAX_BYTES_PER_KEY = 64 * 1024 ** 3;
/** How long a call waits for the called node to dial back. */
export const CALL_TIMEOUT_MS = 10_000;
/** Calls waiting at once, in all: each holds a caller's link. */
const MAX_WAITING_CALLS = 256;
/** Relay-hint keys announced for all registered nodes together (each sends at most MAX_HINTS). */
export const MAX_HINT_KEYS = 4096;

export interface RelayLimits {
  maxStreamsPerKey: number;
  maxBytesPerKey: number;
  /** Total forwarding rate, both directions, bytes per second (undefined: unlimited). */
  maxRateBytesPerSecond?: number;
}

export interface RelayHostNode {
  handle(kind: 'relay', handler: (link: PeerLink) => void | boolean | string): void;
}

export interface RelayCounts {
  registered: number;
  streams: number;
  relayedBytes: number;
  refused: number;
}

interface WaitingCall {
  caller: PeerLink;
  targetHex: string;
  timer: NodeJS.Timeout;
}

/** Events: registered/unregistered {key, fingerprint}, hints {key, fingerprint, count}, stream-open {from, to}, stream-closed {from, to, bytes}, stream-refused {key, to, reason}. */
export class RelayService extends EventEmitter {
  private readonly registered = new Map<string, PeerLink>();
  private readonly hintsOf = new Map<string, Buffer[]>();
  private readonly calls = new Map<string, WaitingCall>();
  private readonly streamsOf = new Map<string, number>();
  private readonly bytesOf = new Map<string, number>();
  private readonly rate?: ByteRate;
  private streams = 0;
  private relayedBytes = 0;
  private refusedCount = 0;
  private isClosed = false;

  constructor(
    node: RelayHostNode,
    private readonly trust: { allows(key: Uint8Array): boolean },
    private readonly limits: RelayLimits = { maxStreamsPerKey: DEFAULT_MAX_STREAMS_PER_KEY, maxBytesPerKey: DEFAULT_MAX_BYTES_PER_KEY },
    /** Sees every spliced chunk (what the relay forwards): for audits and tests. */
    private readonly onChunk?: (chunk: Buffer) => void,
  ) {
    super();
    if (limits.maxRateBytesPerSecond !== undefined) this.rate = new ByteRate(limits.maxRateBytesPerSecond);
    node.handle('relay', (link) => this.onLink(link));
  }

  counts(): RelayCounts {
    return { registered: this.registered.size, streams: this.streams, relayedBytes: this.relayedBytes, refused: this.refusedCount };
  }

  /** The DHT keys registered nodes asked this relay to announce with its own port (docs/protocol.md, "Relay hints"). */
  hintKeys(): Buffer[] {
    const seen = new Set<string>();
    const keys: Buffer[] = [];
    for (const set of this.hintsOf.values()) {
      for (const key of set) {
        const hex = key.toString('hex');
        if (seen.has(hex)) continue;
        seen.add(hex);
        keys.push(key);
        if (keys.length >= MAX_HINT_KEYS) return keys;
      }
    }
    return keys;
  }

  close(): void {
    this.isClosed = true;
    for (const call of this.calls.values()) clearTimeout(call.timer);
    this.calls.clear();
  }

  private onLink(link: PeerLink): void | string {
    if (this.isClosed) return refusalReason('closing', 'the relay is stopping');
    const request = relayRequestOf(link.channel);
    if (!request) return refusalReason('no-service', 'unknown relay request');
    if (request.kind === 'register') return this.register(link);
    if (request.kind === 'whoami') return answerWhoami(link);
    if (request.kind === 'to') return this.call(link, request.key);
    return this.answer(link, request.token);
  }

  private register(link: PeerLink): void {
    const hex = Buffer.from(link.remoteKey).toString('hex');
    const previous = this.registered.get(hex);
    this.registered.set(hex, link);
    // The newer link wins: the node redialled because it thinks the old one is gone.
    previous?.close();
    // The registered node sends only its relay hints on this link; anything else ends it.
    const reader = new HintsReader();
    link.stream.on('data', (chunk: Buffer) => {
      const { sets, error } = reader.push(chunk);
      if (error) return link.close();
      const latest = sets.at(-1);
      if (latest === undefined || this.registered.get(hex) !== link) return;
      this.hintsOf.set(hex, latest);
      this.emit('hints', { ...keyEvent(link.remoteKey), count: latest.length });
    });
    link.stream.on('error', () => {});
    link.stream.once('close', () => {
      if (this.registered.get(hex) !== link) return;
      this.registered.delete(hex);
      this.hintsOf.delete(hex);
      this.emit('unregistered', keyEvent(link.remoteKey));
    });
    if (previous === undefined) this.emit('registered', keyEvent(link.remoteKey));
  }

  private call(caller: PeerLink, target: Buffer): void | string {
    const targetHex = target.toString('hex');
    const refuse = (reason: string) => {
      this.refusedCount += 1;
      this.emit('stream-refused', { ...keyEvent(caller.remoteKey), to: fingerprint(target), reason });
      return reason;
    };
    if (!this.trust.allows(target)) return refuse(refusalReason('not-trusted', 'this relay does not relay for that key'));
    const registration = this.registered.get(targetHex);
    if (!registration) // Passing ('busy'): the key may be re-registering (its link or this relay restarted).
    if (!registration) return refuse(refusalReason('busy', `${fingerprint(target)} is not registered with this relay now`));
    const callerHex = Buffer.from(caller.remoteKey).toString('hex');
    for (const hex of [callerHex, targetHex]) {
      if ((this.streamsOf.get(hex) ?? 0) >= this.limits.maxStreamsPerKey) return refuse(refusalReason('busy', `too many relayed streams for one key (limit ${this.limits.maxStreamsPerKey})`));
      if ((this.bytesOf.get(hex) ?? 0) >= this.limits.maxBytesPerKey) return refuse(refusalReason('not-allowed', 'this relay\'s byte allowance for one key is used up'));
    }
    if (this.calls.size >= MAX_WAITING_CALLS) return refuse(refusalReason('busy', 'too many calls waiting at this relay'));
    const token = Buffer.from(randomBytes(TOKEN_BYTES)).toString('hex');
    // A waiting call holds its stream slots already, so concurrent calls cannot pass the cap.
    const keys = [callerHex, targetHex];
    this.hold(keys, 1);
    const drop = () => {
      const call = this.calls.get(token);
      if (call?.caller !== caller) return;
      clearTimeout(call.timer);
      this.calls.delete(token);
      this.hold(keys, -1);
    };
    const timer = setTimeout(() => {
      drop();
      caller.close();
    }, CALL_TIMEOUT_MS);
    this.calls.set(token, { caller, targetHex, timer });
    caller.stream.once('close', drop);
    // After ACCEPT has gone out: the caller's first bytes (its inner message 1) wait in its link.
    setImmediate(() => registration.stream.write(encodeCall(Buffer.from(token, 'hex'))));
  }

  private answer(link: PeerLink, token: string): void | string {
    const call = this.calls.get(token);
    if (!call || call.targetHex !== Buffer.from(link.remoteKey).toString('hex')) {
      this.refusedCount += 1;
      return refusalReason('no-service', 'no such call waiting');
    }
    clearTimeout(call.timer);
    this.calls.delete(token);
    setImmediate(() => void this.run(call.caller, link));
  }

  /** Takes (+1) or gives back (-1) one stream slot of each key. */
  private hold(keys: string[], delta: 1 | -1): void {
    for (const hex of keys) {
      const count = (this.streamsOf.get(hex) ?? 0) + delta;
      if (count > 0) this.streamsOf.set(hex, count);
      else this.streamsOf.delete(hex);
    }
  }

  private async run(caller: PeerLink, target: PeerLink): Promise<void> {
    const keys = [Buffer.from(caller.remoteKey).toString('hex'), Buffer.from(target.remoteKey).toString('hex')];
    this.streams += 1;
    const from = encodeKeyText(caller.remoteKey);
    const to = encodeKeyText(target.remoteKey);
    this.emit('stream-open', { from, to });
    const result = await splice(caller, target, {
      passed: (source, chunk) => {
        this.relayedBytes += chunk.length;
        this.onChunk?.(chunk);
        let isWithin = true;
        for (const hex of keys) {
          const bytes = (this.bytesOf.get(hex) ?? 0) + chunk.length;
          this.bytesOf.set(hex, bytes);
          if (bytes > this.limits.maxBytesPerKey) isWithin = false;
        }
        return isWithin && source !== undefined;
      },
    }, this.rate);
    this.streams -= 1;
    this.hold(keys, -1);
    this.emit('stream-closed', { from, to, bytes: result.aToB + result.bToA });
  }
}

function keyEvent(key: Uint8Array): { key: string; fingerprint: string } {
  return { key: encodeKeyText(key), fingerprint: fingerprint(key) };
}
