// The sharer's piece cache (issue 10, CPU per byte): a piece is read from disk once however
// many of its blocks are asked for, each block is handed out as its own buffer (a slot
// reused for another piece later cannot change or pin it), a slot is never reused while its
// read is pending, and a failed read is not cached. Through ShareStore on a real file, every
// range of many more pieces than slots reads back exactly, in any order, all at once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SharePieceCache, shareCacheSlots, type ReadPiece } from '../../src/share/share-piece-cache.js';
import { ShareStore } from '../../src/share/share-store.js';
import { tempDir } from '../helpers/temp-home.js';

const PIECE = 64;

/** A piece reader over `data` that counts its reads; `hold` keeps reads pending until released. */
function readerOver(data: Buffer, options: { hold?: boolean; failIndex?: number } = {}) {
  const reads: number[] = [];
  const pending: (() => void)[] = [];
  const read: ReadPiece = (index, into, done) => {
    reads.push(index);
    const finish = () => {
      if (index === options.failIndex) return done(new Error('short read'));
      data.copy(into, 0, index * PIECE, index * PIECE + into.length);
      done(null);
    };
    if (options.hold) pending.push(finish);
    else queueMicrotask(finish);
  };
  return { read, reads, releaseAll: () => pending.splice(0).forEach((finish) => finish()) };
}

const copyRange = (cache: SharePieceCache, index: number, from: number, to: number) =>
  new Promise<Buffer>((resolve, reject) => {
    const isCached = cache.copyRange(index, PIECE, from, to, (error, block) => (error ? reject(error) : resolve(block!)));
    if (!isCached) reject(new Error('no free slot'));
  });

describe('SharePieceCache', () => {
  it('reads a piece once for all of its blocks, and hands each block out as its own buffer', async () => {
    const data = randomBytes(4 * PIECE);
    const { read, reads } = readerOver(data);
    const cache = new SharePieceCache(PIECE, read, 1);
    const blocks = await Promise.all([0, 16, 32, 48].map((from) => copyRange(cache, 2, from, from + 16)));
    expect(reads).toEqual([2]);
    expect(Buffer.concat(blocks).equals(data.subarray(2 * PIECE, 3 * PIECE))).toBe(true);
    // The only slot now holds piece 3: the blocks already handed out keep piece 2's bytes.
    expect((await copyRange(cache, 3, 0, 16)).equals(data.subarray(3 * PIECE, 3 * PIECE + 16))).toBe(true);
    expect(reads).toEqual([2, 3]);
    expect(Buffer.concat(blocks).equals(data.subarray(2 * PIECE, 3 * PIECE))).toBe(true);
  });

  it('never reuses a slot whose read is pending: the caller reads for itself instead', async () => {
    const data = randomBytes(4 * PIECE);
    const { read, reads, releaseAll } = readerOver(data, { hold: true });
    const cache = new SharePieceCache(PIECE, read, 2);
    const first = copyRange(cache, 0, 0, 16);
    const second = copyRange(cache, 1, 0, 16);
    expect(cache.copyRange(2, PIECE, 0, 16, () => {})).toBe(false);
    releaseAll();
    expect((await first).equals(data.subarray(0, 16))).toBe(true);
    expect((await second).equals(data.subarray(PIECE, PIECE + 16))).toBe(true);
    expect(reads).toEqual([0, 1]);
  });

  it('does not cache a failed read', async () => {
    const data = randomBytes(4 * PIECE);
    const { read, reads } = readerOver(data, { failIndex: 1 });
    const cache = new SharePieceCache(PIECE, read, 4);
    await expect(copyRange(cache, 1, 0, 16)).rejects.toThrow(/short read/);
    await expect(copyRange(cache, 1, 16, 32)).rejects.toThrow(/short read/);
    expect(reads).toEqual([1, 1]);
  });

  it('through ShareStore: every range of 64 pieces (16 slots) reads back exactly, asked all at once in random order', async () => {
    const root = tempDir();
    const data = randomBytes(64 * PIECE - 5);
    writeFileSync(join(root, 'f.bin'), data);
    const store = new ShareStore(PIECE, { path: root, files: [{ path: 'f.bin', length: data.length, offset: 0 }] });
    const ranges: [number, number, number][] = [];
    for (let index = 0; index < 64; index++) {
      const bytes = index === 63 ? PIECE - 5 : PIECE;
      for (let from = 0; from < bytes; from += 16) ranges.push([index, from, Math.min(16, bytes - from)]);
    }
    ranges.sort(() => Math.random() - 0.5);
    const blocks = await Promise.all(ranges.map(([index, offset, length]) =>
      new Promise<[number, number, Buffer]>((resolve, reject) =>
        store.get(index, { offset, length }, (error, block) => (error ? reject(error) : resolve([index, offset, block!]))))));
    for (const [index, offset, block] of blocks) {
      expect(block.equals(data.subarray(index * PIECE + offset, index * PIECE + offset + block.length))).toBe(true);
    }
    await new Promise((resolve) => store.close(resolve));
  });

  it('caches pieces up to 4 MiB in 16 slots (64 MiB at most), and none larger: their blocks are read straight from disk', () => {
    expect(shareCacheSlots(256 * 1024)).toBe(16);
    expect(shareCacheSlots(4 * 1024 * 1024)).toBe(16);
    expect(shareCacheSlots(8 * 1024 * 1024)).toBe(0);
    expect(shareCacheSlots(16 * 1024 * 1024)).toBe(0);
    let reads = 0;
    const cache = new SharePieceCache(8 * 1024 * 1024, (_index, _into, done) => (reads++, done(null)));
    // No slot: the range is the caller's to read (false), and no whole piece is read for it.
    expect(cache.copyRange(0, 8 * 1024 * 1024, 0, 16 * 1024, () => {})).toBe(false);
    expect(reads).toBe(0);
  });
});
