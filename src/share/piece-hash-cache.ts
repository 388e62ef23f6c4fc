/**
 * Piece hashes of earlier shares, so restarting an unchanged share skips reading it all
 * again (2 GiB took 11 s). One file per shared path and piece length under
 * `<SWARM_HOME>/share-cache/`, named by a hash of both. It holds each file's path, size,
 * mtime, ctime, inode and device as the listing saw them; the hashes are used only when
 * every one of them is still the same, so a changed, added, removed or replaced file
 * means hashing again. ctime is there because a program can set mtime back, but not ctime.
 * A damaged or unreadable cache is ignored (hashing again is always correct); failing to
 * write one costs only the next start's time, so it is not an error either.
 */
import { join } from 'node:path';
import { sha256 } from '../crypto/hash.js';
import { readFileIfExists, writeFileAtomic } from '../identity/atomic-file.js';
import type { ShareListing } from './share-listing.js';

const CACHE_VERSION = 1;
const SHA1_BYTES = 20;

interface CacheFile {
  version: number;
  root: string;
  pieceLength: number;
  /** One line per listed file: the path parts joined by "/", then size and identity. */
  files: string[];
  /** Base64 of the concatenated piece hashes. */
  pieces: string;
}

export class PieceHashCache {
  constructor(private readonly directory: string) {}

  /** The cached piece hashes for exactly this listing and piece length, if there are any. */
  load(listing: ShareListing, pieceLength: number): Buffer | undefined {
    let text: string | undefined;
    try {
      text = readFileIfExists(this.pathFor(listing, pieceLength));
    } catch {
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      const cached = JSON.parse(text) as CacheFile;
      const expected = fileLines(listing);
      if (cached.version !== CACHE_VERSION || cached.root !== listing.root || cached.pieceLength !== pieceLength) return undefined;
      if (!Array.isArray(cached.files) || cached.files.length !== expected.length) return undefined;
      if (cached.files.some((line, i) => line !== expected[i])) return undefined;
      const pieces = Buffer.from(cached.pieces, 'base64');
      return pieces.length === SHA1_BYTES * Math.ceil(listing.totalBytes / pieceLength) ? pieces : undefined;
    } catch {
      return undefined;
    }
  }

  save(listing: ShareListing, pieceLength: number, pieces: Buffer): void {
    const content: CacheFile = { version: CACHE_VERSION, root: listing.root, pieceLength, files: fileLines(listing), pieces: pieces.toString('base64') };
    try {
      writeFileAtomic(this.pathFor(listing, pieceLength), JSON.stringify(content));
    } catch {
      // Only the next start's speed depends on it.
    }
  }

  pathFor(listing: ShareListing, pieceLength: number): string {
    const key = sha256(Buffer.from(`${listing.root}\0${pieceLength}`)).subarray(0, 16).toString('hex');
    return join(this.directory, `${key}.json`);
  }
}

function fileLines(listing: ShareListing): string[] {
  return listing.files.map((file) => {
    const { mtimeNs, ctimeNs, ino, dev } = file.identity;
    return JSON.stringify([file.parts.join('/'), file.size, mtimeNs, ctimeNs, ino, dev]);
  });
}
