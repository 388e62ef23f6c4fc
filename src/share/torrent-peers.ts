/**
 * The peers of one torrent: every one an authenticated link from the node, handed to
 * webtorrent as a duplex. Keeps one link per remote key, dials addresses learned from
 * the magnet, --peer and swarm_pex (through TorrentDialer: the secure channel, expecting
 * the key when known), counts bytes per peer, and drops peers caught sending corrupt pieces
 * or flooding requests.
 */
import { EventEmitter } from 'node:events';
import type { Torrent, Wire } from 'webtorrent';
import { firstNeededFile, useChangedFilesLink } from './changed-files-link.js';
import { CorruptPieceGuard } from './corrupt-piece-guard.js';
import { NoProgressGuard } from './no-progress-guard.js';
import { FairChoker } from './fair-choker.js';
import { SuperSeeder } from './super-seeder.js';
import { markSharer } from './seeder-last.js';
import { createLinkDuplex } from './link-duplex.js';
import { duplicateVerdict, ProbeBeforeReplace } from './duplicate-link.js';
import { startLinkFast } from './link-fast-start.js';
import { guardMetadataData } from './metadata-data-guard.js';
import { limitPieceIndices } from './wire-piece-index-limit.js';
import { sizePipelineToLink } from './link-pipeline.js';
import type { PeerAddress } from '../net/peer-address.js';
import { trackPeerPieces } from './peer-pieces.js';
import type { SharedFileWatch } from './shared-file-watch.js';
import { TorrentPex, type PexParty } from './torrent-pex.js';
import { TorrentDialer, type DialFailure } from './torrent-dialer.js';
import { MAX_QUEUED_REQUESTS } from './wire-request-limit.js';
import { torrentPeers } from './webtorrent-internals.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';
import { refusalReason, type RefusalCause } from '../net/refusal-reason.js';

/** The events a transfer's peers emit (and GetSession and ShareSession pass on). */
export const PEER_EVENT_NAMES = ['peer-connected', 'peer-disconnected', 'peer-dropped', 'peer-refused', 'dial-failed'] as const;

export interface PeerTraffic {
  key: string;
  /** Piece payload bytes received from / sent to this peer. */
  received: number;
  sent: number;
  connected: boolean;
  /** Bytes of the torrent the peer says it has (its bitfield and `have`s): how far a getter is. */
  hasBytes?: number;
}

export interface TorrentPeersOptions {
  torrent: Torrent;
  node: LinkNode;
  ownKeyText: string;
  /** Our listening port, advertised to peers (null: we do not accept connections). */
  listenPort: number | null;
  /** Trust (and per-share allowlist) for a key learned from a peer or arriving on a link. */
  isAllowed(publicKey: Uint8Array): boolean;
  /** Initial seeding (SuperSeeder): only for a sharer that has every piece. */
  isSuperSeeding?: boolean;
  /** A getter's magnet x.key: that peer is asked only for what no one else has (seeder-last.ts). */
  sharerKey?: string;
  /** A sharer's files: pieces of a changed file are refused and peers told (changed-files-link.ts). */
  fileWatch?: SharedFileWatch;
}

/** Why a peer was dropped and refused from then on. */
export interface PeerDrop {
  key: string;
  kind: 'corrupt' | 'changed' | 'flood';
  reason: string;
  /** For 'changed': the file (path inside the torrent) that changed. */
  path?: string;
}

interface LinkEntry extends PexParty {
  duplexId: string;
}

export class TorrentPeers extends EventEmitter {
  private readonly torrent: Torrent;
  private readonly options: TorrentPeersOptions;
  private readonly byKey = new Map<string, LinkEntry>();
  private readonly byDuplexId = new Map<string, LinkEntry>();
  private readonly traffic = new Map<string, PeerTraffic>();
  private readonly dialer: TorrentDialer;
  private readonly pex: TorrentPex;
  private readonly banned = new Map<string, PeerDrop>();
  private readonly probes = new ProbeBeforeReplace();
  private readonly guard: CorruptPieceGuard;
  private readonly noProgressGuard: NoProgressGuard;
  private readonly choker: FairChoker;
  private readonly superSeeder: SuperSeeder | undefined;
  private isClosed = false;

  constructor(options: TorrentPeersOptions) {
    super();
    this.options = options;
    this.torrent = options.torrent;
    this.guard = new CorruptPieceGuard(this.torrent, (key, piece) => this.ban({ key, kind: 'corrupt', reason: `sent corrupt data (piece ${piece} failed its hash check)` }));
    this.noProgressGuard = new NoProgressGuard(this.torrent, (key, bytes) =>
      this.ban({ key, kind: 'corrupt', reason: `sent ${Math.round(bytes / 1024 / 1024)} MiB of data that never verified` }));
    this.choker = new FairChoker(this.torrent);
    if (options.isSuperSeeding && this.torrent.done) this.superSeeder = new SuperSeeder(this.torrent);
    this.dialer = new TorrentDialer({
      node: options.node,
      infoHash: this.torrent.infoHash,
      attach: (link) => this.attach(link),
      isConnected: (key) => this.byKey.has(key),
    });
    this.dialer.on('dial-failed', (failure: DialFailure) => this.emit('dial-failed', failure));
    this.dialer.on('dial-error', (failure: DialFailure) => this.emit('dial-error', failure));
    this.pex = new TorrentPex({
      ...options,
      parties: () => this.byKey,
      isKnown: (keyText) => this.byKey.has(keyText) || this.banned.has(keyText),
      isBusy: (keyText) => this.byKey.has(keyText) || this.dialer.isDialing(keyText),
      dial: (address, keyText) => this.dial(address, keyText),
    });
    this.torrent.on('wire', (wire: Wire) => this.onWire(wire));
  }

  get infoHash(): string {
    return this.torrent.infoHash;
  }

  /**
   * Adds an authenticated link for this torrent. False if refused: the caller closes it
   * (the node's handler refuses it properly, telling the initiator).
   */
  attach(link: PeerLink): boolean {
    return this.attachOrRefuse(link) === null;
  }

  /** attach(), saying why a link is refused: a reason with its cause (net/refusal-reason.ts) for the dialer. */
  attachOrRefuse(link: PeerLink): string | null {
    const key = link.remoteKeyText;
    const refuse = (reason: string, cause: RefusalCause = 'busy'): string => {
      this.emit('peer-refused', { key, reason });
      return refusalReason(cause, reason);
    };
    if (this.isClosed || this.torrent.destroyed) return refuse('torrent closed', 'closing');
    const drop = this.banned.get(key);
    if (drop) return refuse(`dropped earlier: ${drop.reason}`, 'dropped');
    if (!this.options.isAllowed(link.remoteKey)) return refuse('not allowed for this share', 'not-allowed');
    const existing = this.byKey.get(key);
    if (existing) {
      const verdict = duplicateVerdict(existing.link, link, this.options.ownKeyText);
      if (verdict === 'keep-existing') {
        // Kept, but a dead one must not keep the peer out until its timeout: probe it.
        void existing.link.probe();
        return refuse('duplicate connection');
      }
      if (verdict === 'probe-existing') return this.replaceIfDead(existing, link) ? null : refuse('duplicate connection');
      this.detach(existing);
      existing.link.close();
    }
    const duplex = createLinkDuplex(link);
    const entry: LinkEntry = { link, duplexId: duplex.id };
    // A relayed link's address is the relay's, a punched one's a port only we can use: never passed on as the peer's.
    if (link.isInitiator && link.via === undefined && !link.isPunched) entry.listenAddress = { host: link.remoteHost, port: link.remotePort };
    this.byKey.set(key, entry);
    this.byDuplexId.set(duplex.id, entry);
    this.trafficOf(key).connected = true;
    link.stream.on('close', () => this.detach(entry));
    if (!this.torrent.addPeer(duplex)) {
      this.detach(entry);
      link.close();
      return refuse('webtorrent refused the connection');
    }
    this.emit('peer-connected', { key, remoteHost: link.remoteHost, remotePort: link.remotePort, isInbound: !link.isInitiator, isRelayed: link.via !== undefined, isPunched: link.isPunched === true });
    this.pex.schedule();
    return null;
  }

  /** The peer dialled again while we hold its link: the new one waits for a probe of the old (duplicate-link.ts). */
  private replaceIfDead(existing: LinkEntry, link: PeerLink): boolean {
    const replace = () => {
      this.detach(existing);
      if (!this.attach(link)) link.close();
    };
    return this.probes.start(existing.link, link, {
      onDead: replace,
      onAlive: () => {
        if (this.byKey.get(link.remoteKeyText) !== existing) return replace();
        this.emit('peer-refused', { key: link.remoteKeyText, reason: 'duplicate connection (the older link is alive)' });
        link.close();
      },
    });
  }

  /** Dials host:port for this torrent (expecting `keyText` if given), retrying with backoff. */
  dial(address: PeerAddress, keyText?: string): void {
    if (this.isClosed || (keyText && (keyText === this.options.ownKeyText || this.banned.has(keyText)))) return;
    this.dialer.dial(address, keyText);
  }

  /** True while some dial may still succeed (used by get to decide it is stuck). */
  get hasPendingDials(): boolean {
    return this.dialer.hasPending;
  }

  /** The last error of each address given up, for explaining why nothing connected. */
  dialFailures(): DialFailure[] {
    return this.dialer.failures();
  }

  /** The last error of every address dialed that has one, given up or not (why get is waiting). */
  dialErrors(): DialFailure[] {
    return this.dialer.lastErrors();
  }

  get connectedCount(): number {
    return this.byKey.size;
  }

  peerTraffic(): PeerTraffic[] {
    return [...this.traffic.values()].map((t) => ({ ...t }));
  }

  /** Peers dropped so far, and why (get explains a failure with them). */
  drops(): PeerDrop[] {
    return [...this.banned.values()];
  }

  /** Drops every link of `drop.key` and refuses it from now on. */
  ban(drop: PeerDrop): void {
    const { key, reason } = drop;
    if (this.banned.has(key)) return;
    this.banned.set(key, drop);
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
    this.superSeeder?.stop();
    this.dialer.close();
    this.pex.close();
    this.probes.close();
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
      this.pex.schedule();
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
    sizePipelineToLink(wire);
    limitPieceIndices(wire, () => this.torrent.pieces.length);
    guardMetadataData(wire);
    startLinkFast(this.torrent, wire);
    const key = entry.link.remoteKeyText;
    wire.once('request-flood', () => this.ban({ key, kind: 'flood', reason: `flooded us with requests (over the ${MAX_QUEUED_REQUESTS} it may queue)` }));
    // Registered before webtorrent's handler, which ignores a request for a piece we do not
    // have without answering it: that request would hold a queue slot (wire-request-limit.ts).
    wire.on('request', (index: number, _offset: number, _length: number, respond: (error: Error) => void) => {
      if (this.torrent.pieces[index] !== null) respond(new Error(`piece ${index} is not available`));
    });
    const traffic = this.trafficOf(key);
    wire.on('download', (bytes: number) => (traffic.received += bytes));
    wire.on('upload', (bytes: number) => (traffic.sent += bytes));
    trackPeerPieces(this.torrent, wire, traffic);
    this.guard.watch(wire, key);
    this.noProgressGuard.watch(wire, key);
    this.superSeeder?.attach(wire);
    this.choker.watch(wire);
    if (key === this.options.sharerKey) markSharer(wire);
    wire.use(this.pex.extensionFor(entry));
    // Still before webtorrent's own 'request' handler (added after this 'wire' event).
    useChangedFilesLink(wire, { watch: this.options.fileWatch, onPeerChanged: (paths) => this.onPeerChanged(key, paths) });
  }

  /** A peer's copy of `paths` changed: useless to us if we still need any piece of one. */
  private onPeerChanged(key: string, paths: string[]): void {
    const needed = firstNeededFile(this.torrent, paths);
    if (needed) this.ban({ key, kind: 'changed', path: needed.path, reason: `its copy of ${needed.path} changed after it was shared` });
  }

  private entryOfWire(wire: Wire): LinkEntry | undefined {
    for (const peer of torrentPeers(this.torrent)) {
      if (peer.wire === wire) return this.byDuplexId.get(peer.id);
    }
    return undefined;
  }
}
