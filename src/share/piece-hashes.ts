/**
 * The SHA-1 of every piece of a share (BitTorrent v1: files laid end to end, cut into
 * pieceLength pieces), read straight from the listed files. Each file is opened with
 * O_NOFOLLOW (a file swapped for a link after listing is not followed; the share's own
 * path may be a link the user named) and checked against its listing afterwards: a file
 * that changed while it was read is an error, never a torrent that lies about it.
 */
import { constants, promises as fs } from 'node:fs';
import { createSha1, type IncrementalHash } from '../crypto/hash.js';
import { errors } from '../errors.js';
import type { ListedFile, ShareListing } from './share-listing.js';

const READ_CHUNK_BYTES = 1024 * 1024;
const SHA1_BYTES = 20;

/** Called after each piece with the bytes hashed so far and the total. */
export type HashProgress = (doneBytes: number, totalBytes: number) => void;

export async function hashPieces(listing: ShareListing, pieceLength: number, onProgress?: HashProgress): Promise<Buffer> {
  const pieceCount = Math.ceil(listing.totalBytes / pieceLength);
  const pieces = Buffer.alloc(pieceCount * SHA1_BYTES);
  const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, pieceLength));
  let piece: IncrementalHash = createSha1();
  let pieceIndex = 0;
  let inPiece = 0;
  let doneBytes = 0;
  const finishPiece = () => {
    piece.digest().copy(pieces, pieceIndex * SHA1_BYTES);
    pieceIndex += 1;
    inPiece = 0;
    piece = createSha1();
    onProgress?.(doneBytes, listing.totalBytes);
  };
  onProgress?.(0, listing.totalBytes);
  for (const file of listing.files) {
    const handle = await openListed(listing, file);
    try {
      let position = 0;
      while (position < file.size) {
        const want = Math.min(chunk.length, pieceLength - inPiece, file.size - position);
        const { bytesRead } = await handle.read(chunk, 0, want, position);
        if (bytesRead === 0) throw errors.changedWhileReading(file.absolutePath);
        piece.update(chunk.subarray(0, bytesRead));
        position += bytesRead;
        inPiece += bytesRead;
        doneBytes += bytesRead;
        if (inPiece === pieceLength) finishPiece();
      }
      const after = await handle.stat({ bigint: true });
      if (Number(after.size) !== file.size || String(after.mtimeNs) !== file.identity.mtimeNs) {
        throw errors.changedWhileReading(file.absolutePath);
      }
    } finally {
      await handle.close();
    }
  }
  if (inPiece > 0) finishPiece();
  return pieces;
}

async function openListed(listing: ShareListing, file: ListedFile): Promise<fs.FileHandle> {
  const isNamedRoot = file.parts.length === 0;
  const flags = constants.O_RDONLY | (isNamedRoot ? 0 : constants.O_NOFOLLOW);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file.absolutePath, flags);
  } catch {
    throw errors.changedWhileReading(file.absolutePath);
  }
  const stat = await handle.stat({ bigint: true });
  if (String(stat.ino) !== file.identity.ino || String(stat.dev) !== file.identity.dev || !stat.isFile()) {
    await handle.close();
    throw errors.changedWhileReading(isNamedRoot ? listing.root : file.absolutePath);
  }
  return handle;
}
