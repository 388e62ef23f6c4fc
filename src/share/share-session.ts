/**
 * Seeding a file or directory: list it (share-listing.ts: regular files only, no symlink
 * followed), hash it into a private torrent (no announce list, BEP 27 private flag so no
 * client will DHT/PEX it) or take the hashes from the cache, build swarm's magnet link,
 * and accept authenticated links for its infohash from keys the share allows.
 */
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errors, isSwarmError, systemErrorCode } from '../errors.js';
import { buildMagnetLink } from './magnet-link.js';
import { parsePeerAddress, type PeerAddress } from '../net/peer-address.js';
import { createLockedClient, destroyClient, lockTorrent, type WebTorrentClient } from './locked-client.js';
import { PieceHashCache } from './piece-hash-cache.js';
import { hashPieces, type HashProgress } from './piece-hashes.js';
import { listShare, type ShareListing } from './share-listing.js';
import { buildTorrentFile } from './share-torrent.js';
import { ShareStore } from './share-store.js';
import { SharedFileWatch, type FileChange } from './shared-file-watch.js';
import { PEER_EVENT_NAMES, TorrentPeers, type PeerTraffic } from './torrent-peers.js';
import type { LinkNode } from '../net/peer-link.js';
import type { TorrentRouter } from './torrent-router.js';
import type { Torrent } from 'webtorrent';

export interface ShareOptions {
  node: LinkNode;
  router: TorrentRouter;
  ownKeyText: string;
  /**
   * Addresses others can dial us at; they go into the magnet as x.pe. A promise is awaited
   * only when the magnet is built, so a router's port mapping overlaps the hashing.
   */
  advertisedAddresses: PeerAddress[] | Promise<PeerAddress[]>;
  /** Relays this node is registered with: the magnet names them (x.relay). */
  relays?: PeerAddress[];
  listenPort: number | null;
  path: string;
  /** What listShare(path) found, when the caller listed it already (to print it first). */
  listing?: ShareListing;
  /** Where piece hashes are cached (`<SWARM_HOME>/share-cache`); none: hash every time. */
  hashCacheDir?: string;
  /** Hashing progress, in bytes; `isCached` once, when the cache spared the hashing. */
  onHashProgress?: (doneBytes: number, totalBytes: number, isCached: boolean) => void;
  isAllowed(publicKey: Uint8Array): boolean;
  uploadLimitBytesPerSecond?: number;
  /** Initial seeding: send each piece once before any twice (many getters, capped upload). */
  isSuperSeeding?: boolean;
  /** --peer: addresses to dial as well as taking inbound links. */
  extraPeers?: PeerAddress[];
  /** Piece size override (bytes, power of two); default: choosePieceLength(total size). */
  pieceLength?: number;
}

/** A running share as the CLI sees it, read once a second for the status line. */
export interface ShareSnapshot {
  peers: number;
  uploaded: number;
  uploadSpeed: number;
  /** Piece bytes to and from each key this run. */
  traffic: PeerTraffic[];
}

/**
 * A seeded torrent taking links; emits PEER_EVENT_NAMES (peer-connected, peer-refused, …)
 * and 'file-changed' (FileChange) when a shared file changed on disk and is no longer served.
 */
export class ShareSession extends EventEmitter {
  constructor(
    readonly magnet: string,
    private readonly torrent: Torrent,
    private readonly peers: TorrentPeers,
    fileWatch: SharedFileWatch,
    private readonly onClose: () => Promise<void>,
  ) {
    super();
    for (const name of PEER_EVENT_NAMES) peers.on(name, (event) => this.emit(name, event));
    fileWatch.on('file-changed', (change: FileChange) => this.emit('file-changed', change));
  }

  get infoHash(): string {
    return this.torrent.infoHash;
  }

  get name(): string {
    return this.torrent.name;
  }

  get length(): number {
    return this.torrent.length;
  }

  snapshot(): ShareSnapshot {
    return {
      peers: this.peers.connectedCount,
      uploaded: this.torrent.uploaded,
      uploadSpeed: this.torrent.uploadSpeed,
      traffic: this.peers.peerTraffic(),
    };
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

export function checkSharePath(path: string): string {
  const absolute = resolve(path);
  try {
    const stat = statSync(absolute);
    if (!stat.isFile() && !stat.isDirectory()) {
      throw errors.notShareable(path, 'not a regular file or directory');
    }
  } catch (error) {
    if (isSwarmError(error)) throw error;
    const code = systemErrorCode(error);
    if (code === 'ENOENT') throw errors.notFound(path);
    if (code === 'EACCES') throw errors.noAccess(path);
    throw errors.notShareable(path, (error as Error).message);
  }
  return absolute;
}

/**
 * Never smaller than this: each piece costs `have` messages to every peer (a secure frame
 * each) and piece selection work. Not larger either: a getter passes a piece on only once it
 * has all of it, and with 8 getters sharing a capped sharer each gets ~300 KB/s from it, so
 * a 256 KiB piece sat ~1 s at a getter before it could serve it. 16 MiB to 8 capped getters
 * (bench/share-capped-uplinks.bench.mjs, session 7): 16 KiB pieces 13.8-20 s and ~3 s of CPU
 * per getter, 64 KiB 10.8-11.8 s, 256 KiB ~12 s.
 */
export const MIN_PIECE_BYTES = 64 * 1024;

/**
 * create-torrent's rule (about 1024 pieces, power of two) with a floor of MIN_PIECE_BYTES:
 * a 16 MiB file gets 256 pieces of 64 KiB instead of 1024 of 16 KiB, a 4x cut in per-piece
 * messages for every getter in a swarm; from 64 MiB up the rule alone decides.
 */
export function choosePieceLength(totalBytes: number): number {
  const createTorrentDefault = Math.max(16384, 1 << ((Math.log2(totalBytes < 1024 ? 1 : totalBytes / 1024) + 0.5) | 0));
  return Math.max(MIN_PIECE_BYTES, createTorrentDefault);
}

export async function startShare(options: ShareOptions): Promise<ShareSession> {
  const path = checkSharePath(options.path);
  const listing = options.listing ?? listShare(path);
  const pieceLength = options.pieceLength ?? choosePieceLength(listing.totalBytes);
  // Loading webtorrent is most of a cached start: let it overlap the listing's hashing I/O.
  const clientLoading = createLockedClient({ uploadLimitBytesPerSecond: options.uploadLimitBytesPerSecond });
  clientLoading.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  let torrentFile: Uint8Array;
  try {
    torrentFile = buildTorrentFile(listing, pieceLength, await piecesOf(listing, pieceLength, options));
  } catch (error) {
    await clientLoading.then(destroyClient, () => {});
    throw error;
  }
  const client = await clientLoading;
  let peers: TorrentPeers | undefined;
  try {
    const torrent = await seed(client, torrentFile, listing.root, (address) => peers?.dial(address));
    const fileWatch = new SharedFileWatch(torrent);
    peers = new TorrentPeers({
      torrent,
      node: options.node,
      ownKeyText: options.ownKeyText,
      listenPort: options.listenPort,
      isAllowed: options.isAllowed,
      isSuperSeeding: options.isSuperSeeding,
      fileWatch,
    });
    options.router.add(torrent.infoHash, peers);
    const magnet = buildMagnetLink({
      infoHash: torrent.infoHash,
      name: torrent.name,
      length: torrent.length,
      peers: await options.advertisedAddresses,
      keyText: options.ownKeyText,
      ...(options.relays?.length ? { relays: options.relays.map(({ host, port }) => ({ host, port })) } : {}),
    });
    const activePeers = peers;
    const session = new ShareSession(magnet, torrent, activePeers, fileWatch, async () => {
      options.router.remove(torrent.infoHash);
      activePeers.close();
      await destroyClient(client);
    });
    for (const address of options.extraPeers ?? []) activePeers.dial(address);
    return session;
  } catch (error) {
    peers?.close();
    await destroyClient(client);
    throw error;
  }
}

async function piecesOf(listing: ShareListing, pieceLength: number, options: ShareOptions): Promise<Buffer> {
  const cache = options.hashCacheDir === undefined ? undefined : new PieceHashCache(options.hashCacheDir);
  const cached = cache?.load(listing, pieceLength);
  if (cached) {
    options.onHashProgress?.(listing.totalBytes, listing.totalBytes, true);
    return cached;
  }
  const onProgress: HashProgress | undefined = options.onHashProgress && ((done, total) => options.onHashProgress!(done, total, false));
  const pieces = await hashPieces(listing, pieceLength, onProgress);
  cache?.save(listing, pieceLength, pieces);
  return pieces;
}

/** Seeds a torrent we built: webtorrent reads the files from `root`'s folder and hashes nothing. */
function seed(client: WebTorrentClient, torrentFile: Uint8Array, root: string, dial: (address: PeerAddress) => void): Promise<Torrent> {
  return new Promise((resolveSeed, reject) => {
    const torrent = client.add(torrentFile, {
      announce: [],
      private: true,
      path: dirname(root),
      skipVerify: true,
      store: ShareStore,
      // share-store.ts caches pieces itself, in reused buffers
      storeCacheSlots: 0,
    }, (seeded) => resolveSeed(seeded));
    lockTorrent(torrent, (address) => {
      const peer = parsePeerAddress(address);
      if (peer) dial(peer);
    });
    torrent.once('error', (error: Error) =>
      reject(errors.shareFailed(root, error)),
    );
  });
}
