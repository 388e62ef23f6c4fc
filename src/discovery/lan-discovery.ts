/**
 * Finds trusted peers on the local network with beacons (beacon-codec.ts) and announces
 * this node to them. A beacon goes out when the node starts (as a query, so peers already
 * running answer at once) and every `intervalMs` after; a recognised query is answered
 * directly to its sender, at most once a second per key. Beacons nobody we trust could
 * have sent are dropped without a reply and leave no state behind; all input is bounded:
 * datagrams per second, tags per beacon, nonces remembered.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { encodeKeyText } from '../identity/key-text.js';
import { PairSecrets } from '../identity/pair-secret.js';
import { TokenBucket } from '../net/token-bucket.js';
import {
  decodeBeacon, direction, encodeBeacon, hasTag, MAX_CLOCK_SKEW_S, MAX_PRESENCE_TAGS, MAX_SHARE_TAGS, presenceTag, shareKey, shareTag, type Beacon,
} from './beacon-codec.js';
import type { LanConfig } from './lan-config.js';

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

interface Endpoint {
  socket: Socket;
  group: string;
  port: number;
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
  private readonly sockets: Socket[] = [];
  private readonly endpoints: Endpoint[] = [];
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
    const { config } = this.options;
    await this.openFamily('udp4', config.group4, config.interface4);
    if (config.group6) await this.openFamily('udp6', config.group6, undefined).catch(() => undefined);
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
    await Promise.all(this.sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  private async openFamily(type: 'udp4' | 'udp6', group: string, interfaceAddress: string | undefined): Promise<void> {
    const { udpPort } = this.options.config;
    // The receiver shares the fixed port with every other node on this host (reuseAddr);
    // the sender has a port of its own, so answers to our queries reach only us.
    const receiver = this.track(createSocket({ type, reuseAddr: true }));
    await bind(receiver, udpPort, type === 'udp4' ? '0.0.0.0' : '::');
    receiver.addMembership(group, interfaceAddress);
    const sourceHost = type === 'udp4' && this.options.listenHost && isIP(this.options.listenHost) === 4 && this.options.listenHost !== '0.0.0.0' ? this.options.listenHost : undefined;
    const sender = this.track(createSocket({ type }));
    await bind(sender, 0, sourceHost);
    if (interfaceAddress) sender.setMulticastInterface(interfaceAddress);
    sender.setMulticastLoopback(true); // other nodes on this machine are on the LAN too
    sender.setMulticastTTL(1); // link scope: beacons never cross a router
    this.endpoints.push({ socket: sender, group, port: udpPort });
  }

  private track(socket: Socket): Socket {
    this.sockets.push(socket);
    // A send to an unreachable group or a closed port says so here; beacons are best effort.
    socket.on('error', () => undefined);
    socket.on('message', (message, remote) => this.receive(message, remote));
    return socket;
  }

  /** Beacons for the trusted keys (in turns of 256 when there are more), to every group. */
  private announce(isQuery: boolean): void {
    if (this.isClosed) return;
    for (const beacon of this.beacons(isQuery)) {
      for (const { socket, group, port } of this.endpoints) this.send(socket, beacon, port, group);
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
    const endpoint = this.endpoints.find((e) => (remote.family === 'IPv6') === (e.group.includes(':')));
    if (!endpoint) return;
    for (const beacon of this.beacons(false)) this.send(endpoint.socket, beacon, remote.port, remote.address);
  }
}

function bind(socket: Socket, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/** An IPv4-mapped IPv6 source reads as the IPv4 address it is. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
