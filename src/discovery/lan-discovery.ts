/**
 * Finds trusted peers on the local network with beacons (beacon-codec.ts) and announces
 * this node to them. A beacon goes out when the node starts (as a query, so peers already
 * running answer at once) and every `intervalMs` after; a recognised query is answered
 * directly to its sender, at most once a second per key. Beacons nobody we trust could
 * have sent are dropped without a reply and leave no state behind; all input is bounded:
 * datagrams per second, tags per beacon, nonces remembered.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { encodeKeyText } from '../identity/key-text.js';
import { PairSecrets } from '../identity/pair-secret.js';
import { TokenBucket } from '../net/token-bucket.js';
import {
  decodeBeacon, direction, encodeBeacon, hasTag, MAX_CLOCK_SKEW_S, MAX_PRESENCE_TAGS, MAX_SHARE_TAGS, presenceTag, shareKey, shareTag, type Beacon,
} from './beacon-codec.js';
import type { LanConfig } from './lan-config.js';
import { LanSockets, plainAddress } from './lan-sockets.js';

export const DEFAULT_BEACON_INTERVAL_MS = 5000;
/** Datagrams looked at per second (each costs one HMAC per trusted key); the rest are dropped. */
const RECEIVE_RATE_PER_S = 50;
const RECEIVE_BURST = 100;
const MAX_REMEMBERED_NONCES = 2048;
/** More trusted keys than this are announced to in turns (four beacons of 64 tags each). */
const MAX_TAGGED_KEYS = 4 * MAX_PRESENCE_TAGS;
const REPLY_GAP_MS = 1000;

/** A share this node holds or wants: its infohash and the key of the sharer named by the magnet. */
export interface ShareRef {
  infoHash: string;
  sharerKey: Uint8Array;
}

export interface DiscoveredPeer {
  key: Uint8Array;
  keyText: string;
  host: string;
  port: number;
  /** The wanted shares (infohashes) this beacon says the peer holds. */
  infoHashes: string[];
  /** How it was found (LAN when absent). */
  via?: 'lan' | 'dht';
  /** A relay-hint answer: host:port is a relay the key is registered with, not the key (dht-relay-keys.ts). */
  isRelay?: boolean;
}

export interface LanDiscoveryOptions {
  identity: { publicKey: Uint8Array; secretKey: Uint8Array };
  /** The keys to announce to and recognise (the trust list, read at each use so changes apply). */
  trustedKeys(): Uint8Array[];
  /** The TCP port peers dial. */
  listenPort: number;
  /** The listening host, when it is one IPv4 address: beacons leave from it, so the source is dialable. */
  listenHost?: string;
  config: LanConfig;
  /** Shares this node serves (share tags in its beacons). */
  held?: () => ShareRef[];
  /** Shares this node looks for (share tags it recognises). */
  wanted?: () => ShareRef[];
  intervalMs?: number;
}

export class LanDiscovery extends EventEmitter<{ peer: [DiscoveredPeer] }> {
  /** Datagrams sent so far (beacons and replies), for the idle-traffic benchmark and tests. */
  sentCount = 0;
  /** Datagrams looked at, and dropped unread because of the receive rate limit. */
  receivedCount = 0;
  droppedCount = 0;
  private readonly pairs: PairSecrets;
  private readonly bucket: TokenBucket;
  private readonly nonces = new Set<string>();
  private readonly lastReplyMs = new Map<string, number>();
  private sockets: LanSockets | undefined;
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;
  private isClosed = false;

  constructor(private readonly options: LanDiscoveryOptions) {
    super();
    this.pairs = new PairSecrets(options.identity.secretKey);
    this.bucket = new TokenBucket(RECEIVE_RATE_PER_S, RECEIVE_BURST, Date.now());
  }

  /** Opens the sockets and sends the first beacon (a query). IPv6 is best effort: failures there leave IPv4 working. */
  async start(): Promise<void> {
    this.sockets = await LanSockets.open(this.options.config, this.options.listenHost, (message, remote) => this.receive(message, remote));
    this.announce(true);
    const tick = () => {
      // ±20% jitter, so nodes started together do not beacon in step.
      const delayMs = (this.options.intervalMs ?? DEFAULT_BEACON_INTERVAL_MS) * (0.8 + Math.random() * 0.4);
      this.timer = setTimeout(() => {
        this.announce(false);
        tick();
      }, delayMs);
      this.timer.unref();
    };
    tick();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    await this.sockets?.close();
  }

  /** Beacons for the trusted keys (in turns of 256 when there are more), to every group. */
  private announce(isQuery: boolean): void {
    if (this.isClosed) return;
    for (const beacon of this.beacons(isQuery)) {
      for (const { socket, group, port } of this.sockets?.endpoints ?? []) this.send(socket, beacon, port, group);
    }
  }

  private beacons(isQuery: boolean): Buffer[] {
    const secrets = this.secretsFor(this.options.trustedKeys());
    const start = secrets.length > MAX_TAGGED_KEYS ? (this.turn++ * MAX_TAGGED_KEYS) % secrets.length : 0;
    const chosen = [...secrets.slice(start), ...secrets.slice(0, start)].slice(0, MAX_TAGGED_KEYS);
    const shareKeys = (this.options.held?.() ?? []).slice(0, MAX_SHARE_TAGS).map((ref) => shareKey(ref.infoHash, ref.sharerKey));
    const timeS = Math.floor(Date.now() / 1000);
    const out: Buffer[] = [];
    for (let i = 0; i === 0 || i < chosen.length; i += MAX_PRESENCE_TAGS) {
      out.push(encodeBeacon({ isQuery, port: this.options.listenPort, timeS, pairSecrets: chosen.slice(i, i + MAX_PRESENCE_TAGS), shareKeys }));
    }
    return out;
  }

  private secretsFor(keys: Uint8Array[]): { secret: Uint8Array; direction: Uint8Array }[] {
    const own = this.options.identity.publicKey;
    const out: { secret: Uint8Array; direction: Uint8Array }[] = [];
    for (const key of keys) {
      const secret = Buffer.from(own).equals(key) ? undefined : this.pairs.with(key);
      if (secret) out.push({ secret, direction: direction(own, key) });
    }
    return out;
  }

  private send(socket: Socket, bytes: Buffer, port: number, host: string): void {
    this.sentCount++;
    socket.send(bytes, port, host, () => undefined);
  }

  private receive(message: Buffer, remote: RemoteInfo): void {
    if (this.isClosed) return;
    if (!this.bucket.take(Date.now())) {
      this.droppedCount++;
      return;
    }
    this.receivedCount++;
    const beacon = decodeBeacon(message);
    if (!beacon || Math.abs(beacon.timeS - Date.now() / 1000) > MAX_CLOCK_SKEW_S) return;
    const sender = this.recognise(beacon);
    if (!sender) return;
    // Only recognised beacons are remembered, so strangers cannot flush the cache.
    const nonce = Buffer.from(beacon.nonce).toString('hex');
    if (this.nonces.has(nonce)) return;
    if (this.nonces.size >= MAX_REMEMBERED_NONCES) this.nonces.delete(this.nonces.values().next().value!);
    this.nonces.add(nonce);
    const keyText = encodeKeyText(sender);
    const infoHashes = (this.options.wanted?.() ?? [])
      .filter((ref) => hasTag(beacon.shareTags, shareTag(shareKey(ref.infoHash, ref.sharerKey), beacon.header)))
      .map((ref) => ref.infoHash);
    if (beacon.isQuery) this.reply(keyText, remote);
    this.emit('peer', { key: sender, keyText, host: plainAddress(remote.address), port: beacon.port, infoHashes });
  }

  /** The trusted key whose pair secret made one of the presence tags, if any (never our own). */
  private recognise(beacon: Beacon): Uint8Array | undefined {
    const own = Buffer.from(this.options.identity.publicKey);
    for (const key of this.options.trustedKeys()) {
      if (own.equals(key)) continue;
      const secret = this.pairs.with(key);
      if (secret && hasTag(beacon.presenceTags, presenceTag(secret, direction(key, own), beacon.header))) return key;
    }
    return undefined;
  }

  private reply(keyText: string, remote: RemoteInfo): void {
    const nowMs = Date.now();
    if (nowMs - (this.lastReplyMs.get(keyText) ?? 0) < REPLY_GAP_MS) return;
    this.lastReplyMs.set(keyText, nowMs); // bounded: only trusted keys get here
    const endpoint = this.sockets?.endpointFor(remote);
    if (!endpoint) return;
    for (const beacon of this.beacons(false)) this.send(endpoint.socket, beacon, remote.port, remote.address);
  }
}
