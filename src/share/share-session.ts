/**
 * Seeding a file or directory: hash it into a private torrent (no announce list, BEP 27
 * private flag so no client will DHT/PEX it), build swarm's magnet link, and accept
 * authenticated links for its infohash from keys the share allows.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SwarmError, systemErrorCode } from '../errors.js';
import { buildMagnetLink } from './magnet-link.js';
import { parsePeerAddress, type PeerAddress } from '../net/peer-address.js';
import { createLockedClient, destroyClient, lockTorrent, type WebTorrentClient } from './locked-client.js';
import { TorrentPeers } from './torrent-peers.js';
import type { LinkNode } from '../net/peer-link.js';
import type { TorrentRouter } from './torrent-router.js';
import type { Torrent } from 'webtorrent';

export interface ShareOptions {
  node: LinkNode;
  router: TorrentRouter;
  ownKeyText: string;
  /** Addresses others can dial us at; they go into the magnet as x.pe. */
  advertisedAddresses: PeerAddress[];
  listenPort: number | null;
  path: string;
  isAllowed(publicKey: Uint8Array): boolean;
  uploadLimitBytesPerSecond?: number;
  /** Initial seeding: send each piece once before any twice (many getters, capped upload). */
  isSuperSeeding?: boolean;
  /** Piece size override (bytes, power of two); default: choosePieceLength(total size). */
  pieceLength?: number;
}

export interface ShareSession {
  magnet: string;
  infoHash: string;
  name: string;
  length: number;
  torrent: Torrent;
  peers: TorrentPeers;
  close(): Promise<void>;
}

export function checkSharePath(path: string): string {
  const absolute = resolve(path);
  try {
    const stat = statSync(absolute);
    if (!stat.isFile() && !stat.isDirectory()) {
      throw new SwarmError('NOT_SHAREABLE', `cannot share ${path}: not a regular file or directory`);
    }
  } catch (error) {
    if (error instanceof SwarmError) throw error;
    const code = systemErrorCode(error);
    if (code === 'ENOENT') throw new SwarmError('NOT_FOUND', `cannot share ${path}: no such file or directory`, { hint: 'check the path' });
    if (code === 'EACCES') throw new SwarmError('NO_ACCESS', `cannot share ${path}: permission denied`);
    throw new SwarmError('NOT_SHAREABLE', `cannot share ${path}: ${(error as Error).message}`);
  }
  return absolute;
}

/** Never smaller than this: each piece costs `have` messages to every peer (a secure frame each). */
export const MIN_PIECE_BYTES = 256 * 1024;

/**
 * create-torrent's rule (about 1024 pieces, power of two) with a floor of MIN_PIECE_BYTES:
 * a 32 MiB file gets 128 pieces of 256 KiB instead of 1024 of 32 KiB, an 8x cut in
 * per-piece messages (and piece selection work) for every getter in a swarm.
 */
export function choosePieceLength(totalBytes: number): number {
  const createTorrentDefault = Math.max(16384, 1 << ((Math.log2(totalBytes < 1024 ? 1 : totalBytes / 1024) + 0.5) | 0));
  return Math.max(MIN_PIECE_BYTES, createTorrentDefault);
}

function totalBytesOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + totalBytesOf(join(path, entry)), 0);
}

export async function startShare(options: ShareOptions): Promise<ShareSession> {
  const path = checkSharePath(options.path);
  const client = await createLockedClient({ uploadLimitBytesPerSecond: options.uploadLimitBytesPerSecond });
  let peers: TorrentPeers | undefined;
  try {
    const pieceLength = options.pieceLength ?? choosePieceLength(totalBytesOf(path));
    const torrent = await seed(client, path, pieceLength, (address) => peers?.dial(address));
    peers = new TorrentPeers({
      torrent,
      node: options.node,
      ownKeyText: options.ownKeyText,
      listenPort: options.listenPort,
      isAllowed: options.isAllowed,
      isSuperSeeding: options.isSuperSeeding,
    });
    options.router.add(torrent.infoHash, peers);
    const magnet = buildMagnetLink({
      infoHash: torrent.infoHash,
      name: torrent.name,
      length: torrent.length,
      peers: options.advertisedAddresses,
      keyText: options.ownKeyText,
    });
    const activePeers = peers;
    return {
      magnet,
      infoHash: torrent.infoHash,
      name: torrent.name,
      length: torrent.length,
      torrent,
      peers: activePeers,
      async close() {
        options.router.remove(torrent.infoHash);
        activePeers.close();
        await destroyClient(client);
      },
    };
  } catch (error) {
    peers?.close();
    await destroyClient(client);
    throw error;
  }
}

function seed(client: WebTorrentClient, path: string, pieceLength: number, dial: (address: PeerAddress) => void): Promise<Torrent> {
  return new Promise((resolveSeed, reject) => {
    const torrent = client.seed(path, {
      announce: [],
      private: true,
      pieceLength,
    }, (seeded) => resolveSeed(seeded));
    lockTorrent(torrent, (address) => {
      const peer = parsePeerAddress(address);
      if (peer) dial(peer);
    });
    torrent.once('error', (error: Error) =>
      reject(new SwarmError('SHARE_FAILED', `cannot share ${path}: ${error.message}`, { cause: error })),
    );
  });
}
