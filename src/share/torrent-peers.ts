/**
 * The peers of one torrent: every one an authenticated link from the node, handed to
 * webtorrent as a duplex. Keeps one link per remote key, dials addresses learned from
 * the magnet, --peer and swarm_pex (always through the secure dialer, expecting the key
 * when known), counts bytes per peer, and drops peers caught sending corrupt pieces.
 */
import { EventEmitter } from 'node:events';
import type { Torrent, Wire } from 'webtorrent';
import { decodeKeyText } from '../identity/key-text.js';
import { CorruptPieceGuard } from './corrupt-piece-guard.js';
import { FairChoker } from './fair-choker.js';
import { createLinkDuplex } from './link-duplex.js';
import { formatPeerAddress, type PeerAddress } from './magnet-link.js';
import { createSwarmPexExtension, MAX_PEX_PEERS, type PexMessage } from './swarm-pex.js';
import { torrentChannel, type TorrentNode, type TorrentPeerLink } from './torrent-node.js';

const DIAL_BACKOFF_MS = [500, 1000, 2000, 4000];
/**
 * webtorrent keeps 2 + speed x 0.5..1 s / 16 KiB requests in flight, with speed measured
 * over a sliding window that starts at zero: every new wire crawls out of a 2-request
 * pipeline. Reporting at least this speed to the request logic starts it at ~30 blocks.
 */
export const PIPELINE_FLOOR_BYTES_PER_SECOND = 1_000_000;
const PEX_DEBOUNCE_MS = 300;

export interface PeerTraffic {
  key: string;
  /** Piece payload bytes received from / sent to this peer. */
  received: number;
  sent: number;
  connected: boolean;
}

export interface TorrentPeersOptions {
  torrent: Torrent;
  node: TorrentNode;
  ownKeyText: string;
  /** Our listening port, advertised to peers (null: we do not accept connections). */
  listenPort: number | null;
  /** Trust (and per-share allowlist) for a key learned from a peer or arriving on a link. */
  isAllowed(publicKey: Uint8Array): boolean;
}

interface DialState {
  address: PeerAddress;
  keyText?: string;
  attempts: number;
  isActive: boolean;
  lastError?: unknown;
  isExhausted: boolean;
}

interface LinkEntry {
  link: TorrentPeerLink;
  duplexId: string;
  listenAddress?: PeerAddress;
  sendPex?: (message: PexMessage) => void;
}

export class TorrentPeers extends EventEmitter {
  private readonly torrent: Torrent;
  private readonly options: TorrentPeersOptions;
  private readonly byKey = new Map<string, LinkEntry>();
  private readonly byDuplexId = new Map<string, LinkEntry>();
  private readonly traffic = new Map<string, PeerTraffic>();
  private readonly dials = new Map<string, DialState>();
  private readonly banned = new Set<string>();
  private readonly guard: CorruptPieceGuard;
  private readonly choker: FairChoker;
  private readonly timers = new Set<NodeJS.Timeout>();
  private pexTimer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(options: TorrentPeersOptions) {
    super();
    this.options = options;
    this.torrent = options.torrent;
    this.guard = new CorruptPieceGuard(this.torrent, (key, piece) => this.ban(key, `sent corrupt data (piece ${piece} failed its hash check)`));
    this.choker = new FairChoker(this.torrent);
    this.torrent.on('wire', (wire: Wire) => this.onWire(wire));
  }

  get infoHash(): string {
    return this.torrent.infoHash;
  }

  /**
   * Adds an authenticated link for this torrent. False if refused: the caller closes it
   * (the node's handler refuses it properly, telling the initiator).
   */
  attach(link: TorrentPeerLink): boolean {
    const key = link.remoteKeyText;
    const refuse = (reason: string): false => {
      this.emit('peer-refused', { key, reason });
      return false;
    };
    if (this.isClosed || this.torrent.destroyed) return refuse('torrent closed');
    if (this.banned.has(key)) return refuse('banned for sending corrupt data');
    if (!this.options.isAllowed(link.remoteKey)) return refuse('not allowed for this share');
    const existing = this.byKey.get(key);
    if (existing) {
      // Two nodes may dial each other at once; both keep the link opened by the smaller key.
      const isPreferred = (l: TorrentPeerLink) => l.isInitiator === this.options.ownKeyText < key;
      if (isPreferred(existing.link) || !isPreferred(link)) return refuse('duplicate connection');
      this.detach(existing);
      existing.link.close();
    }
    const duplex = createLinkDuplex(link);
    const entry: LinkEntry = { link, duplexId: duplex.id };
    if (link.isInitiator) entry.listenAddress = { host: link.remoteHost, port: link.remotePort };
    this.byKey.set(key, entry);
    this.byDuplexId.set(duplex.id, entry);
    this.trafficOf(key).connected = true;
    link.stream.on('close', () => this.detach(entry));
    if (!this.torrent.addPeer(duplex)) {
      this.detach(entry);
      link.close();
      return refuse('webtorrent refused the connection');
    }
    this.emit('peer-connected', { key });
    this.schedulePex();
    return true;
  }

  /** Dials host:port for this torrent (expecting `keyText` if given), retrying with backoff. */
  dial(address: PeerAddress, keyText?: string): void {
    if (this.isClosed) return;
    if (keyText && (keyText === this.options.ownKeyText || this.banned.has(keyText) || this.byKey.has(keyText))) return;
    const id = formatPeerAddress(address);
    const existing = this.dials.get(id);
    if (existing && (existing.isActive || !existing.isExhausted)) return;
    const state: DialState = { address, keyText, attempts: 0, isActive: false, isExhausted: false };
    this.dials.set(id, state);
    this.attemptDial(state);
  }

  private attemptDial(state: DialState): void {
    if (this.isClosed) return;
    state.isActive = true;
    state.attempts += 1;
    const expectedKey = state.keyText ? decodeKeyText(state.keyText) : undefined;
    this.options.node
      .connect(state.address.host, state.address.port, torrentChannel(this.infoHash), expectedKey ? { expectedKey } : undefined)
      .then(
        (link) => {
          state.isActive = false;
          state.attempts = 0;
          if (this.isClosed) return link.close();
          if (this.attach(link)) {
            link.stream.on('close', () => this.redialLater(state));
          } else {
            link.close();
            state.isExhausted = true;
            this.emit('dial-failed', this.failure(state, new Error('refused by us after connecting')));
          }
        },
        (error: unknown) => {
          state.isActive = false;
          state.lastError = error;
          const isPermanent = isPermanentDialError(error);
          if (isPermanent || state.attempts > DIAL_BACKOFF_MS.length) {
            state.isExhausted = true;
            this.emit('dial-failed', this.failure(state, error));
          } else {
            this.redialLater(state);
          }
        },
      );
  }

  private redialLater(state: DialState): void {
    if (this.isClosed || state.isExhausted) return;
    const delay = DIAL_BACKOFF_MS[Math.min(state.attempts, DIAL_BACKOFF_MS.length - 1)]!;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (state.keyText && this.byKey.has(state.keyText)) return;
      this.attemptDial(state);
    }, delay);
    this.timers.add(timer);
  }

  private failure(state: DialState, error: unknown): { address: string; key?: string; error: unknown } {
    return { address: formatPeerAddress(state.address), key: state.keyText, error };
  }

  /** True while some dial may still succeed (used by get to decide it is stuck). */
  get hasPendingDials(): boolean {
    for (const state of this.dials.values()) if (!state.isExhausted) return true;
    return false;
  }

  /** The last error of each exhausted dial, for explaining why nothing connected. */
  dialFailures(): { address: string; key?: string; error: unknown }[] {
    return [...this.dials.values()].filter((s) => s.isExhausted).map((s) => this.failure(s, s.lastError));
  }

  get connectedCount(): number {
    return this.byKey.size;
  }

  peerTraffic(): PeerTraffic[] {
    return [...this.traffic.values()].map((t) => ({ ...t }));
  }

  /** Drops every link of `key` and refuses it from now on. */
  ban(key: string, reason: string): void {
    if (this.banned.has(key)) return;
    this.banned.add(key);
    const entry = this.byKey.get(key);
    if (entry) {
      this.detach(entry);
      entry.link.close();
    }
    this.emit('peer-dropped', { key, reason });
  }

  close(): void {
    this.isClosed = true;
    this.choker.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.pexTimer);
    for (const entry of [...this.byKey.values()]) {
      this.detach(entry);
      entry.link.close();
    }
  }

  private detach(entry: LinkEntry): void {
    if (this.byDuplexId.get(entry.duplexId) !== entry) return;
    this.byDuplexId.delete(entry.duplexId);
    const key = entry.link.remoteKeyText;
    if (this.byKey.get(key) === entry) {
      this.byKey.delete(key);
      this.trafficOf(key).connected = false;
      this.emit('peer-disconnected', { key });
      this.schedulePex();
    }
  }

  private trafficOf(key: string): PeerTraffic {
    let traffic = this.traffic.get(key);
    if (!traffic) this.traffic.set(key, (traffic = { key, received: 0, sent: 0, connected: false }));
    return traffic;
  }

  private onWire(wire: Wire): void {
    const entry = this.entryOfWire(wire);
    if (!entry) return wire.destroy(); // not one of our links: cannot happen, refuse anyway
    const measured = wire.downloadSpeed.bind(wire);
    wire.measuredDownloadSpeed = measured;
    wire.downloadSpeed = () => Math.max(measured(), PIPELINE_FLOOR_BYTES_PER_SECOND);
    const traffic = this.trafficOf(entry.link.remoteKeyText);
    wire.on('download', (bytes: number) => (traffic.received += bytes));
    wire.on('upload', (bytes: number) => (traffic.sent += bytes));
    this.guard.watch(wire, entry.link.remoteKeyText);
    wire.use(
      createSwarmPexExtension({
        onReady: (_wire, send) => {
          entry.sendPex = send;
          send(this.pexMessage(entry));
        },
        onMessage: (_wire, message) => this.onPexMessage(entry, message),
      }),
    );
  }

  private entryOfWire(wire: Wire): LinkEntry | undefined {
    for (const peer of this.torrent._peers.values()) {
      if (peer.wire === wire) return this.byDuplexId.get(peer.id);
    }
    return undefined;
  }

  private pexMessage(recipient: LinkEntry): PexMessage {
    const peers: PexMessage['peers'] = [];
    for (const [key, entry] of this.byKey) {
      if (entry === recipient || !entry.listenAddress || peers.length >= MAX_PEX_PEERS) continue;
      peers.push({ host: entry.listenAddress.host, port: entry.listenAddress.port, key });
    }
    return { listen: this.options.listenPort, peers };
  }

  private schedulePex(): void {
    if (this.pexTimer || this.isClosed) return;
    this.pexTimer = setTimeout(() => {
      this.pexTimer = undefined;
      for (const entry of this.byKey.values()) entry.sendPex?.(this.pexMessage(entry));
    }, PEX_DEBOUNCE_MS);
  }

  private onPexMessage(from: LinkEntry, message: PexMessage): void {
    if (message.listen !== null && !from.listenAddress) {
      from.listenAddress = { host: from.link.remoteHost, port: message.listen };
      this.schedulePex();
    }
    for (const peer of message.peers) {
      if (peer.key === this.options.ownKeyText || this.byKey.has(peer.key) || this.banned.has(peer.key)) continue;
      let publicKey: Uint8Array;
      try {
        publicKey = decodeKeyText(peer.key);
      } catch {
        continue;
      }
      if (!this.options.isAllowed(publicKey)) continue;
      // Both ends learn of each other; only the smaller key dials, unless we cannot be dialled.
      if (this.options.listenPort === null || this.options.ownKeyText < peer.key) {
        this.dial({ host: peer.host, port: peer.port }, peer.key);
      }
    }
  }
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
