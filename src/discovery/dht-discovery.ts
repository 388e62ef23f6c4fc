/**
 * Finds trusted peers through the DHT (dht-node.ts) and announces this node there:
 * - shares held: announce under dhtShareKey(infohash, sharer key);
 * - shares wanted: look that key up; an answer is dialled as the sharer (the v2 handshake
 *   proves it is: anyone else at that address stays silent);
 * - presence (chat): for each trusted key, look up and announce under the pair's presence
 *   key of the UTC day, rekeyed when the day changes.
 * Work comes in rounds: at start, then after 5 s, 15 s, 30 s, 1 min, 2 min, and every
 * 5 min; announces are repeated every REANNOUNCE_MS (as BitTorrent clients do: stored
 * peers expire). Every lookup or announce takes a token from a bucket of
 * MAX_OPERATIONS_PER_MINUTE; with more keys than that, rounds take turns. Answers reach
 * listeners at most PEERS_PER_SECOND (burst PEER_BURST), so a hostile DHT node naming
 * thousands of addresses cannot make us dial more than a few a second.
 */
import { EventEmitter } from 'node:events';
import { encodeKeyText } from '../identity/key-text.js';
import { PairSecrets } from '../identity/pair-secret.js';
import { TokenBucket } from '../net/token-bucket.js';
import { dhtPresenceKey, dhtShareKey, utcDay } from './dht-keys.js';
import { dhtPresenceRelayKey, dhtShareRelayKey } from './dht-relay-keys.js';
import type { DhtNode } from './dht-node.js';
import type { DiscoveredPeer, ShareRef } from './lan-discovery.js';

export const ROUND_DELAYS_MS = [0, 5_000, 15_000, 30_000, 60_000, 120_000];
export const ROUND_EVERY_MS = 300_000;
export const REANNOUNCE_MS = 15 * 60_000;
export const MAX_OPERATIONS_PER_MINUTE = 60;
const PEERS_PER_SECOND = 4;
const PEER_BURST = 16;

export interface DhtDiscoveryOptions {
  node: DhtNode;
  identity: { publicKey: Uint8Array; secretKey: Uint8Array };
  trustedKeys(): Uint8Array[];
  listenPort: number;
  held?: () => ShareRef[];
  wanted?: () => ShareRef[];
  /** Announce and look up presence for every trusted key (chat). */
  isPresence?: boolean;
  /** Addresses that are this node (its own announces come back from presence lookups). */
  isOwnAddress?: (host: string, port: number) => boolean;
  /** Also look up the relay-hint keys (dht-relay-keys.ts) of what is wanted and of presence. */
  isLookingForRelays?: boolean;
  /** Relays this node is registered with: their hints for its own presence come back too. */
  isOwnRelay?: (host: string, port: number) => boolean;
  /** Relay-hint keys registered nodes asked this node (their relay) to announce with its port. */
  relayHints?: () => Buffer[];
  now?: () => number;
}

interface Operation {
  kind: 'announce' | 'lookup';
  key: Buffer;
  /** The trusted key a presence key is for, or the sharer key of a share. */
  peerKey: Uint8Array;
  infoHash?: string;
  id: string;
  /** A relay-hint key: answers are relays for peerKey, not peerKey itself. */
  isRelay?: boolean;
}

export class DhtDiscovery extends EventEmitter<{ peer: [DiscoveredPeer & { via: 'dht' }] }> {
  /** Relay-hint announces made (for tests). */
  relayHintAnnounceCount = 0;
  operationCount = 0;
  private readonly pairs: PairSecrets;
  private readonly budget: TokenBucket;
  private readonly peerBucket: TokenBucket;
  private readonly lastAnnounceMs = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private round = 0;
  private turn = 0;
  private isClosed = false;

  constructor(private readonly options: DhtDiscoveryOptions) {
    super();
    this.pairs = new PairSecrets(options.identity.secretKey);
    const nowMs = this.now();
    this.budget = new TokenBucket(MAX_OPERATIONS_PER_MINUTE / 60, MAX_OPERATIONS_PER_MINUTE, nowMs);
    this.peerBucket = new TokenBucket(PEERS_PER_SECOND, PEER_BURST, performance.now());
  }

  start(): void {
    this.schedule();
  }

  /** A round now (e.g. once a download completes and there is a share to announce). */
  nudge(): void {
    if (this.isClosed) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** Stops the rounds; a round under way ends when its node closes (lookups there are cut short). */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private schedule(delayMs = ROUND_DELAYS_MS[this.round] ?? ROUND_EVERY_MS): void {
    if (this.isClosed) return;
    this.timer = setTimeout(() => {
      this.round++;
      void this.runRound().finally(() => this.schedule());
    }, delayMs);
    this.timer.unref();
  }

  /** This round's operations, in parallel (the DHT bounds its own concurrency), within the budget. */
  private async runRound(): Promise<void> {
    const all = this.operations();
    const start = all.length > 0 ? this.turn % all.length : 0;
    const rotated = [...all.slice(start), ...all.slice(0, start)];
    const chosen: Operation[] = [];
    for (const op of rotated) {
      if (!this.budget.take(this.now())) break;
      chosen.push(op);
    }
    this.turn += chosen.length;
    await Promise.all(chosen.map((op) => this.run(op).catch(() => undefined)));
  }

  private operations(): Operation[] {
    const nowMs = this.now();
    const ops: Operation[] = [];
    const isAnnounceDue = (id: string) => nowMs - (this.lastAnnounceMs.get(id) ?? -Infinity) >= REANNOUNCE_MS;
    for (const ref of this.options.wanted?.() ?? []) {
      const key = dhtShareKey(ref.infoHash, ref.sharerKey);
      ops.push({ kind: 'lookup', key, peerKey: ref.sharerKey, infoHash: ref.infoHash, id: key.toString('hex') });
      if (this.options.isLookingForRelays) {
        const relayKey = dhtShareRelayKey(ref.infoHash, ref.sharerKey);
        ops.push({ kind: 'lookup', key: relayKey, peerKey: ref.sharerKey, infoHash: ref.infoHash, id: relayKey.toString('hex'), isRelay: true });
      }
    }
    for (const ref of this.options.held?.() ?? []) {
      const key = dhtShareKey(ref.infoHash, ref.sharerKey);
      const id = key.toString('hex');
      if (isAnnounceDue(id)) ops.push({ kind: 'announce', key, peerKey: ref.sharerKey, infoHash: ref.infoHash, id });
    }
    if (this.options.isPresence) {
      const own = Buffer.from(this.options.identity.publicKey);
      const day = utcDay(nowMs);
      for (const peerKey of this.options.trustedKeys()) {
        const secret = own.equals(peerKey) ? undefined : this.pairs.with(peerKey);
        if (!secret) continue;
        const key = dhtPresenceKey(secret, day);
        const id = key.toString('hex'); // a new day is a new key: announced at once
        ops.push({ kind: 'lookup', key, peerKey, id });
        if (isAnnounceDue(id)) ops.push({ kind: 'announce', key, peerKey, id });
        if (this.options.isLookingForRelays) {
          const relayKey = dhtPresenceRelayKey(secret, day);
          ops.push({ kind: 'lookup', key: relayKey, peerKey, id: relayKey.toString('hex'), isRelay: true });
        }
      }
    }
    for (const key of this.options.relayHints?.() ?? []) {
      const id = key.toString('hex');
      if (isAnnounceDue(id)) ops.push({ kind: 'announce', key, peerKey: this.options.identity.publicKey, id, isRelay: true });
    }
    if (this.lastAnnounceMs.size > 4096) this.lastAnnounceMs.clear(); // old days' keys
    return ops;
  }

  private async run(op: Operation): Promise<void> {
    this.operationCount++;
    const { node } = this.options;
    if (op.kind === 'announce') {
      this.lastAnnounceMs.set(op.id, this.now());
      if (op.isRelay) this.relayHintAnnounceCount++;
      await node.announce(op.key, this.options.listenPort);
      return;
    }
    for await (const address of node.lookup(op.key)) {
      if (this.isClosed) return;
      if (this.options.isOwnAddress?.(address.host, address.port)) continue;
      if (op.isRelay && this.options.isOwnRelay?.(address.host, address.port)) continue;
      if (!this.peerBucket.take(performance.now())) continue; // over the rate: the next round finds it again
      const peer = { via: 'dht' as const, key: op.peerKey, keyText: encodeKeyText(op.peerKey), host: address.host, port: address.port, infoHashes: op.infoHash ? [op.infoHash] : [] };
      this.emit('peer', op.isRelay ? { ...peer, isRelay: true } : peer);
    }
  }
}
