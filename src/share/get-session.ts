/**
 * Fetching a magnet: metadata over ut_metadata, pieces from every trusted peer that has
 * them, all over authenticated links. Resolves only when every piece is verified and
 * every file is in place with its length; metadata is checked (metadata-guard.ts) before
 * webtorrent creates a file, files are written to `<name>.part` without following links
 * (no-follow-store.ts) and renamed at the end, and an existing file is never written
 * unless --force was given.
 */
import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import type { Torrent } from 'webtorrent';
import { errors, isSwarmError, systemErrorCode, type SwarmError } from '../errors.js';
import { acquireFetchLock, type FetchLock } from './fetch-lock.js';
import { watchPeers } from './get-peer-watch.js';
import { droppedPeersError, noPeerError, peerLabel, timedOutError, waitReason } from './get-failure.js';
import { createLockedClient, destroyClient, lockTorrent } from './locked-client.js';
import type { MagnetLink } from './magnet-link.js';
import { formatPeerAddress, parsePeerAddress, type PeerAddress } from '../net/peer-address.js';
import { checkTorrentMetadata, type MetadataSummary } from './metadata-guard.js';
import { startEndGame } from './end-game.js';
import { usePiecePicker } from './piece-picker.js';
import { useSeederLast } from './seeder-last.js';
import { replaceOnMetadata } from './webtorrent-internals.js';
import { useRequestScheduler } from './request-scheduler.js';
import { useWriteBackpressure } from './write-backpressure.js';
import { isExistingCopyComplete } from './existing-copy.js';
import {
  ensureOutputDirectory, existingTargetError, finishOutputTarget, isBlockedByExistingTarget, moveIntoPlace, prepareOutputTarget, stagedBytes, stagingName,
} from './output-target.js';
import { NoFollowStore, type NoFollowStoreOptions } from './no-follow-store.js';
import { EarlyLinks } from './early-links.js';
import { torrentChannel } from '../net/channel-name.js';
import { decodeKeyText } from '../identity/key-text.js';
import { PEER_EVENT_NAMES, TorrentPeers } from './torrent-peers.js';
import type { TransferSnapshot, WaitingEvent } from './get-events.js';

export type { TransferSnapshot, WaitingEvent } from './get-events.js';
import type { LinkNode } from '../net/peer-link.js';
import type { TorrentRouter } from './torrent-router.js';

export interface GetOptions {
  node: LinkNode;
  router: TorrentRouter;
  ownKeyText: string;
  listenPort: number | null;
  magnet: MagnetLink;
  extraPeers: PeerAddress[];
  outDir: string;
  /** SWARM_HOME: where the record of an interrupted download is kept. */
  stateDir: string;
  isForced: boolean;
  /** --allow-hidden: names starting with "." may be written. */
  isHiddenAllowed?: boolean;
  isAllowed(publicKey: Uint8Array): boolean;
  strategy?: 'rarest' | 'sequential';
  uploadLimitBytesPerSecond?: number;
  /** The trust store's name for a key, to name a dropped sharer in the final error. */
  nameOf?(keyText: string): string | undefined;
  /**
   * Peers may still be found (LAN discovery runs): having no address to dial is not a
   * reason to give up, only to say whom get is looking for.
   */
  isDiscovering?: boolean;
  /** What the waiting event says discovery is doing (default SEARCHING_REASON: the LAN). */
  searchingReason?: string;
}

/** What a waiting get says while discovery looks for a sharer it has no address for. */
export const SEARCHING_REASON = 'looking for it on the local network';

export class GetSession extends EventEmitter {
  private readonly options: GetOptions;
  private torrent: Torrent | undefined;
  peers: TorrentPeers | undefined;
  private client: Awaited<ReturnType<typeof createLockedClient>> | undefined;
  private stuckTimer: NodeJS.Timeout | undefined;
  private lock: FetchLock | undefined;
  private stopEndGame: (() => void) | undefined;
  private isClosed = false;
  // Addresses found before the torrent's peers exist (discovery can answer within milliseconds).
  private readonly foundEarly: { address: PeerAddress; keyText: string }[] = [];
  isResume = false;
  /** True when the output already held exactly this content (nothing needed fetching). */
  alreadyComplete = false;
  private summary: MetadataSummary | undefined;
  /** Bytes already on disk when the metadata came (a resume, or an existing copy). */
  private bytesHere = 0;
  private store: NoFollowStore | undefined;
  private readonly earlyLinks: EarlyLinks;
  /** Read by webtorrent when it builds the store, just after guardMetadata decided topName. */
  private readonly storeOptions: Pick<NoFollowStoreOptions, 'topName' | 'onCreate'> = { onCreate: (store) => (this.store = store) };

  constructor(options: GetOptions) {
    super();
    this.options = { ...options, outDir: resolve(options.outDir) };
    this.earlyLinks = new EarlyLinks(options.node);
  }

  get outDir(): string {
    return this.options.outDir;
  }

  /** Where the file (or the top folder) is written: outDir joined with the torrent's name. */
  get savedPath(): string {
    return join(this.options.outDir, this.snapshot().name ?? '');
  }

  snapshot(): TransferSnapshot {
    const t = this.torrent;
    const isReady = !!t?.ready;
    return {
      name: isReady ? t!.name : this.options.magnet.name,
      length: isReady ? t!.length : this.options.magnet.length ?? 0,
      verified: isReady ? t!.downloaded : 0,
      received: t?.received ?? 0,
      uploaded: t?.uploaded ?? 0,
      downloadSpeed: t?.downloadSpeed ?? 0,
      uploadSpeed: t?.uploadSpeed ?? 0,
      peers: this.peers?.connectedCount ?? 0,
      traffic: this.peers?.peerTraffic() ?? [],
      isDone: !!t?.done,
      isChecking: !!t?.metadata && !t.ready,
    };
  }

  /** Resolves when the download is complete and verified. */
  async run(): Promise<void> {
    const { magnet, outDir } = this.options;
    ensureOutputDirectory(outDir);
    this.lock = acquireFetchLock(this.options.stateDir, magnet.infoHash);
    this.dialEarly();
    this.client = await createLockedClient({ uploadLimitBytesPerSecond: this.options.uploadLimitBytesPerSecond });
    const torrent = (this.torrent = this.client.add(magnet.infoHash, {
      path: outDir,
      announce: [],
      private: true,
      strategy: this.options.strategy ?? 'rarest',
      store: NoFollowStore,
      storeOpts: this.storeOptions,
    }));
    lockTorrent(torrent, (address) => {
      const peer = parsePeerAddress(address);
      if (peer) this.peers?.dial(peer);
    });
    usePiecePicker(torrent);
    useSeederLast(torrent);
    useRequestScheduler(torrent);
    useWriteBackpressure(torrent);
    this.stopEndGame = startEndGame(torrent);
    return new Promise<void>((resolveDone, rejectDone) => {
      const fail = (error: unknown) => {
        clearInterval(this.stuckTimer);
        rejectDone(error);
      };
      this.guardMetadata(torrent, fail);
      torrent.once('error', (error: Error) => fail(isSwarmError(error) ? error : errors.getFailed(error.message)));
      torrent.once('infoHash', () => this.startPeers(torrent, fail));
      torrent.once('metadata', () => {
        this.emit('metadata', { name: torrent.name, length: torrent.length, files: torrent.files.length });
        if (this.bytesHere > 0) this.emit('checking', { bytes: this.bytesHere });
      });
      // The engine has its store and asks for blocks from here on (after the metadata, and any check of data already here).
      torrent.once('ready', () => this.emit('downloading'));
      torrent.once('done', () => {
        clearInterval(this.stuckTimer);
        this.finishOutput().then(resolveDone, fail);
      });
    });
  }

  /** Every piece is verified: give every file its length, move `.part` into place, drop the record. */
  private async finishOutput(): Promise<void> {
    const { outDir, stateDir, magnet, isForced } = this.options;
    const summary = this.summary!;
    try {
      await this.store?.finishFiles();
      if (this.storeOptions.topName) await moveIntoPlace({ outDir, summary, isForced });
    } catch (error) {
      throw isSwarmError(error) ? error : errors.writeFailed(join(outDir, summary.name), systemErrorCode(error) ?? (error as Error).message);
    }
    finishOutputTarget(stateDir, magnet.infoHash);
  }

  /** The links startPeers() will ask for, dialled while the engine loads (early-links.ts). */
  private dialEarly(): void {
    const { magnet, extraPeers } = this.options;
    const channel = torrentChannel(magnet.infoHash);
    const expectedKey = magnet.keyText ? decodeKeyText(magnet.keyText) : undefined;
    for (const address of magnet.peers) this.earlyLinks.start(address.host, address.port, channel, expectedKey ? { expectedKey } : undefined);
    for (const address of extraPeers) this.earlyLinks.start(address.host, address.port, channel);
  }

  private startPeers(torrent: Torrent, fail: (error: unknown) => void): void {
    const peers = (this.peers = new TorrentPeers({
      torrent,
      node: this.earlyLinks,
      ownKeyText: this.options.ownKeyText,
      listenPort: this.options.listenPort,
      isAllowed: this.options.isAllowed,
      sharerKey: this.options.magnet.keyText,
    }));
    for (const name of PEER_EVENT_NAMES) peers.on(name, (event) => this.emit(name, event));
    this.options.router.add(torrent.infoHash, peers);
    for (const address of this.options.magnet.peers) peers.dial(address, this.options.magnet.keyText);
    for (const address of this.options.extraPeers) peers.dial(address);
    for (const { address, keyText } of this.foundEarly.splice(0)) peers.dial(address, keyText);
    this.stuckTimer = watchPeers({
      peers,
      isDone: () => torrent.done,
      isDiscovering: !!this.options.isDiscovering,
      onWaiting: (lastError, wasConnected) => this.emit('waiting', lastError ? this.waitingEvent(lastError, wasConnected) : this.searchingEvent(wasConnected)),
      onStuck: () => fail(droppedPeersError(peers.drops(), this.options.nameOf) ?? noPeerError(peers.dialFailures(), this.options.ownKeyText, this.options.nameOf)),
    });
  }

  private waitingEvent(lastError: { address: string; key?: string; error: unknown }, wasConnected: boolean): WaitingEvent {
    // The sharer named by the link is who a person waits for, whichever address failed last.
    const key = this.options.magnet.keyText ?? lastError.key;
    const address = this.options.magnet.peers[0] ? formatPeerAddress(this.options.magnet.peers[0]) : lastError.address;
    return { peer: peerLabel(key, address, this.options.nameOf), key, address, keptBytes: this.snapshot().verified, wasConnected, reason: waitReason(lastError.error) };
  }

  private searchingEvent(wasConnected: boolean): WaitingEvent {
    const key = this.options.magnet.keyText;
    return { peer: peerLabel(key, undefined, this.options.nameOf), key, keptBytes: this.snapshot().verified, wasConnected, reason: this.options.searchingReason ?? SEARCHING_REASON };
  }

  /** The error for --timeout passing now (`after`: how it was written), naming whom we wait for and why. */
  timedOutError(after: string, kept: string): SwarmError {
    const snap = this.snapshot();
    if (snap.peers > 0) return errors.getTimedOut(after, `not complete yet (${snap.peers} peer${snap.peers === 1 ? '' : 's'} connected)`, kept);
    const { magnet, extraPeers } = this.options;
    const dialed = [...magnet.peers.map((p) => ({ address: formatPeerAddress(p), key: magnet.keyText })), ...extraPeers.map((p) => ({ address: formatPeerAddress(p) }))];
    return timedOutError(after, this.peers?.dialErrors() ?? [], dialed, kept, this.options.nameOf);
  }

  /** A holder found by discovery: dialled expecting its key (a repeat of a known address is ignored by the dialer). */
  addPeer(address: PeerAddress, keyText: string): void {
    if (this.isClosed) return;
    if (this.peers) this.peers.dial(address, keyText);
    else if (this.foundEarly.length < 64) this.foundEarly.push({ address, keyText });
  }

  /** Checks names (and the output target) in the raw metadata before webtorrent uses it. */
  private guardMetadata(torrent: Torrent, fail: (error: unknown) => void): void {
    let isChecking = false;
    replaceOnMetadata(torrent, (onMetadata) => (metadata: unknown) => {
      if (torrent.metadata || torrent.destroyed || !(metadata instanceof Uint8Array)) return onMetadata(metadata);
      // Another copy while the first is checked or parsed: webtorrent's own "already have it"
      // test passes until its asynchronous parse ends, and a second pass would build a second
      // store (its file descriptors never closed). One wire can deliver two copies: ut_metadata
      // emits once per completed set, and the sharer's unasked copy (link-fast-start.ts) and
      // the answer to our request can both complete before its asynchronous hash check ends.
      if (isChecking) return;
      const { outDir, stateDir, magnet, isForced } = this.options;
      let summary: ReturnType<typeof checkTorrentMetadata>;
      try {
        summary = checkTorrentMetadata(metadata, { name: magnet.name, length: magnet.length, isHiddenAllowed: this.options.isHiddenAllowed });
        this.summary = summary;
        const target = { outDir, stateDir, infoHash: magnet.infoHash, summary, isForced };
        if (!isBlockedByExistingTarget(target)) {
          this.isResume = prepareOutputTarget(target).isResume;
          if (this.isResume) this.bytesHere = stagedBytes(outDir, summary);
          this.storeOptions.topName = stagingName(summary.name);
          isChecking = true;
          return onMetadata(metadata);
        }
      } catch (error) {
        fail(error);
        return;
      }
      // Something is already there: fine if it is exactly this content (webtorrent then
      // verifies it and finds nothing to write), else refuse.
      isChecking = true;
      isExistingCopyComplete(outDir, metadata).then(
        (isComplete) => {
          if (!isComplete) return fail(existingTargetError(outDir, summary));
          this.alreadyComplete = true;
          this.bytesHere = summary.length;
          void onMetadata(metadata);
        },
        (error: unknown) => fail(error),
      );
    });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.stuckTimer);
    this.stopEndGame?.();
    if (this.torrent) this.options.router.remove(this.options.magnet.infoHash);
    this.peers?.close();
    this.earlyLinks.close();
    if (this.client) await destroyClient(this.client);
    this.lock?.release();
  }
}
