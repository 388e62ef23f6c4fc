// Piece hashes of a listing, checked against an independent SHA-1 of the files laid end to
// end; the torrent built from them passes the getter's metadata guard; the cache gives them
// back only while every file is unchanged (size, mtime, ctime, inode), and ignores damage.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTorrentMetadata } from '../../src/share/metadata-guard.js';
import { PieceHashCache } from '../../src/share/piece-hash-cache.js';
import { hashPieces } from '../../src/share/piece-hashes.js';
import { listShare } from '../../src/share/share-listing.js';
import { buildTorrentFile } from '../../src/share/share-torrent.js';
import { tempDir } from '../helpers/temp-home.js';

const PIECE = 16 * 1024;

function expectedPieces(buffers: Buffer[], pieceLength: number): Buffer {
  const all = Buffer.concat(buffers);
  const hashes: Buffer[] = [];
  for (let offset = 0; offset < all.length; offset += pieceLength) {
    hashes.push(createHash('sha1').update(all.subarray(offset, offset + pieceLength)).digest());
  }
  return Buffer.concat(hashes);
}

/** A folder whose files straddle piece boundaries, including an empty one. */
function makeFolder(): { root: string; contents: Buffer[] } {
  const dir = tempDir();
  const root = join(dir, 'album');
  mkdirSync(join(root, 'b'), { recursive: true });
  const contents = [randomBytes(PIECE + 100), Buffer.alloc(0), randomBytes(3 * PIECE - 7), randomBytes(5)];
  writeFileSync(join(root, 'a.bin'), contents[0]!);
  writeFileSync(join(root, 'b', 'empty'), contents[1]!);
  writeFileSync(join(root, 'b', 'x.bin'), contents[2]!);
  writeFileSync(join(root, 'c.txt'), contents[3]!);
  return { root, contents };
}

describe('hashPieces', () => {
  it('hashes the files end to end in listing order, reporting progress up to the total', async () => {
    const { root, contents } = makeFolder();
    const listing = listShare(root);
    const progress: number[] = [];
    const pieces = await hashPieces(listing, PIECE, (done, total) => {
      expect(total).toBe(listing.totalBytes);
      progress.push(done);
    });
    expect(pieces.equals(expectedPieces(contents, PIECE))).toBe(true);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(listing.totalBytes);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress).toHaveLength(1 + Math.ceil(listing.totalBytes / PIECE));
  });

  it('builds a torrent the getter-side metadata guard accepts, naming exactly the listed files', async () => {
    const { root } = makeFolder();
    const listing = listShare(root);
    const torrent = buildTorrentFile(listing, PIECE, await hashPieces(listing, PIECE));
    const summary = checkTorrentMetadata(torrent, { name: 'album', length: listing.totalBytes });
    expect(summary.files).toEqual([
      { path: ['a.bin'], length: PIECE + 100 },
      { path: ['b', 'empty'], length: 0 },
      { path: ['b', 'x.bin'], length: 3 * PIECE - 7 },
      { path: ['c.txt'], length: 5 },
    ]);
  });

  it('refuses a file that changed between listing and reading', async () => {
    const { root } = makeFolder();
    const listing = listShare(root);
    appendFileSync(join(root, 'c.txt'), 'more');
    await expect(hashPieces(listing, PIECE)).rejects.toMatchObject({ code: 'NOT_SHAREABLE', message: expect.stringContaining('changed while swarm was reading it') });
    const relisted = listShare(root);
    writeFileSync(join(root, 'moved'), 'x');
    renameSync(join(root, 'moved'), join(root, 'a.bin')); // a new file (inode) under the listed name
    await expect(hashPieces(relisted, PIECE)).rejects.toMatchObject({ code: 'NOT_SHAREABLE' });
  });
});

describe('PieceHashCache', () => {
  async function cached(): Promise<{ root: string; cache: PieceHashCache; pieces: Buffer; dir: string }> {
    const { root } = makeFolder();
    const dir = tempDir();
    const cache = new PieceHashCache(dir);
    const listing = listShare(root);
    const pieces = await hashPieces(listing, PIECE);
    cache.save(listing, PIECE, pieces);
    return { root, cache, pieces, dir };
  }

  it('gives the hashes back for an unchanged share, and only for the same piece length', async () => {
    const { root, cache, pieces } = await cached();
    expect(cache.load(listShare(root), PIECE)?.equals(pieces)).toBe(true);
    expect(cache.load(listShare(root), 2 * PIECE)).toBeUndefined();
  });

  it('misses after a change of content, size, mtime, inode, or the file set', async () => {
    const changes: ((root: string) => void)[] = [
      (root) => appendFileSync(join(root, 'c.txt'), '!'),
      (root) => utimesSync(join(root, 'c.txt'), new Date(), new Date(Date.now() + 5000)),
      (root) => {
        // Same size and the old mtime put back: only ctime (and here the bytes) differ.
        const { atime, mtime } = statSync(join(root, 'c.txt'));
        writeFileSync(join(root, 'c.txt'), 'ABCDE');
        utimesSync(join(root, 'c.txt'), atime, mtime);
      },
      (root) => {
        const { atime, mtime } = statSync(join(root, 'c.txt'));
        writeFileSync(join(root, 'copy'), readFileSync(join(root, 'c.txt')));
        utimesSync(join(root, 'copy'), atime, mtime);
        renameSync(join(root, 'copy'), join(root, 'c.txt'));
      },
      (root) => writeFileSync(join(root, 'b', 'new'), 'n'),
    ];
    for (const change of changes) {
      const { root, cache } = await cached();
      change(root);
      expect(cache.load(listShare(root), PIECE), String(change)).toBeUndefined();
    }
  });

  it('ignores a damaged cache file and keeps one file per shared path', async () => {
    const { root, cache, dir } = await cached();
    const [file] = readdirSync(dir);
    expect(readdirSync(dir)).toHaveLength(1);
    writeFileSync(join(dir, file!), '{"version":1,"root":');
    expect(cache.load(listShare(root), PIECE)).toBeUndefined();
    writeFileSync(join(dir, file!), JSON.stringify({ version: 1, root, pieceLength: PIECE, files: [], pieces: '' }));
    expect(cache.load(listShare(root), PIECE)).toBeUndefined();
  });
});
