/**
 * The chunk store `swarm get` writes through: chunks land across file boundaries as in
 * fs-chunk-store, and a symbolic link, a FIFO or a file where a folder is needed is
 * refused (UNSAFE_PATH) instead of being followed, blocked on or written into.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { open } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { NoFollowStore } from '../../src/share/no-follow-store.js';
import { tempDir } from '../helpers/temp-home.js';

const CHUNK = 16;

function storeFor(root: string, files: { path: string[]; length: number }[]): NoFollowStore {
  let offset = 0;
  return new NoFollowStore(CHUNK, { path: root, files: files.map((f) => ({ path: f.path.join(sep), length: f.length, offset: (offset += f.length) - f.length })) });
}

const put = (store: NoFollowStore, index: number, data: Buffer) => new Promise<void>((resolve, reject) => store.put(index, data, (e) => (e ? reject(e) : resolve())));
const get = (store: NoFollowStore, index: number, range?: { offset: number; length: number }) =>
  new Promise<Buffer>((resolve, reject) => store.get(index, range ?? null, (e, b) => (e ? reject(e) : resolve(Buffer.from(b!)))));

describe('NoFollowStore', () => {
  it('writes and reads chunks that span files and folders', async () => {
    const root = tempDir();
    const store = storeFor(root, [{ path: ['t', 'a.bin'], length: 10 }, { path: ['t', 'sub', 'b.bin'], length: 30 }]);
    const data = Buffer.from(Array.from({ length: 40 }, (_, i) => i));
    for (let index = 0; index < 3; index++) await put(store, index, data.subarray(index * CHUNK, index * CHUNK + CHUNK));
    expect(readFileSync(join(root, 't', 'a.bin'))).toEqual(data.subarray(0, 10));
    expect(readFileSync(join(root, 't', 'sub', 'b.bin'))).toEqual(data.subarray(10));
    expect(await get(store, 0)).toEqual(data.subarray(0, 16));
    expect(await get(store, 2)).toEqual(data.subarray(32));
    expect(await get(store, 0, { offset: 8, length: 4 })).toEqual(data.subarray(8, 12));
    await new Promise((resolve) => store.close(resolve));
  });

  it('refuses a symbolic link as the file, and leaves its target alone', async () => {
    const root = tempDir();
    const victim = join(tempDir(), 'victim');
    writeFileSync(victim, 'keep');
    symlinkSync(victim, join(root, 'x.bin'));
    const store = storeFor(root, [{ path: ['x.bin'], length: 16 }]);
    await expect(put(store, 0, Buffer.alloc(16, 7))).rejects.toMatchObject({ code: 'UNSAFE_PATH', message: expect.stringMatching(/x\.bin: it is a symbolic link/) });
    expect(readFileSync(victim, 'utf8')).toBe('keep');
  });

  it('refuses a symbolic link as a folder on the way', async () => {
    const root = tempDir();
    const elsewhere = tempDir();
    mkdirSync(join(root, 't'));
    symlinkSync(elsewhere, join(root, 't', 'sub'));
    const store = storeFor(root, [{ path: ['t', 'sub', 'x.bin'], length: 16 }]);
    await expect(put(store, 0, Buffer.alloc(16))).rejects.toMatchObject({ code: 'UNSAFE_PATH', message: expect.stringMatching(/sub: it is a symbolic link/) });
    await expect(get(store, 0)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
  });

  it('refuses a FIFO without blocking, and a file where a folder is needed', async () => {
    const root = tempDir();
    execFileSync('mkfifo', [join(root, 'pipe')]);
    await expect(put(storeFor(root, [{ path: ['pipe'], length: 16 }]), 0, Buffer.alloc(16))).rejects.toMatchObject({ message: expect.stringMatching(/not a regular file/) });
    writeFileSync(join(root, 'plain'), 'x');
    await expect(put(storeFor(root, [{ path: ['plain', 'x.bin'], length: 16 }]), 0, Buffer.alloc(16))).rejects.toMatchObject({ message: expect.stringMatching(/a folder is needed there/) });
  });
});

describe('NoFollowStore finishing and sparse writes', () => {
  const finish = (store: NoFollowStore) => store.finishFiles();
  const close = (store: NoFollowStore) => new Promise((resolve) => store.close(resolve));

  it('writes under topName and creates every file at its length, 0-byte files and their folders included', async () => {
    const root = tempDir();
    let offset = 0;
    const files = [{ path: ['t', 'empty'], length: 0 }, { path: ['t', 'a.bin'], length: 20 }, { path: ['t', 'deep', 'none'], length: 0 }];
    const store = new NoFollowStore(CHUNK, {
      path: root,
      topName: 't.part',
      files: files.map((f) => ({ path: f.path.join(sep), length: f.length, offset: (offset += f.length) - f.length })),
    });
    await put(store, 0, Buffer.alloc(CHUNK, 7));
    await put(store, 1, Buffer.alloc(4, 9));
    await finish(store);
    await close(store);
    expect(readFileSync(join(root, 't.part', 'a.bin'))).toEqual(Buffer.concat([Buffer.alloc(CHUNK, 7), Buffer.alloc(4, 9)]));
    expect(readFileSync(join(root, 't.part', 'empty'))).toHaveLength(0);
    expect(readFileSync(join(root, 't.part', 'deep', 'none'))).toHaveLength(0);
    expect(existsSync(join(root, 't'))).toBe(false);
  });

  it('leaves a hole for zeros past the end written so far, reads it as zeros, and gives the file its length', async () => {
    const root = tempDir();
    const chunk = 64 * 1024;
    const length = 64 * chunk; // 4 MiB
    const store = new NoFollowStore(chunk, { path: root, files: [{ path: 'sparse.bin', length, offset: 0 }] });
    const data = Buffer.alloc(chunk, 1);
    await put(store, 63, data); // pieces come in any order: the end of the file first
    for (let index = 1; index < 63; index++) await put(store, index, Buffer.alloc(chunk));
    await put(store, 0, data);
    expect(await get(store, 30)).toEqual(Buffer.alloc(chunk)); // inside the file: a hole
    await finish(store);
    await close(store);
    const stats = statSync(join(root, 'sparse.bin'));
    expect(stats.size).toBe(length);
    expect(stats.blocks * 512).toBeLessThan(length / 4);
    const back = readFileSync(join(root, 'sparse.bin'));
    expect(back.subarray(0, chunk)).toEqual(data);
    expect(back.subarray(chunk, 63 * chunk).equals(Buffer.alloc(62 * chunk))).toBe(true);
  });

  it('still writes zeros over bytes already on disk (a resumed file may hold stale data there)', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'f.bin'), Buffer.alloc(2 * CHUNK, 5));
    const store = new NoFollowStore(CHUNK, { path: root, files: [{ path: 'f.bin', length: 2 * CHUNK, offset: 0 }] });
    await put(store, 1, Buffer.alloc(CHUNK));
    await close(store);
    expect(readFileSync(join(root, 'f.bin')).subarray(CHUNK)).toEqual(Buffer.alloc(CHUNK));
  });

  it('a range past what the file holds fails without a read (webtorrent checks every piece of a new download)', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'g.bin'), Buffer.alloc(CHUNK, 5)); // a resumed download: one chunk there
    const store = new NoFollowStore(CHUNK, { path: root, files: [{ path: 'g.bin', length: 4 * CHUNK, offset: 0 }] });
    const probe = await open(join(root, 'g.bin'));
    const fileHandleProto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => unknown };
    await probe.close();
    const reads = vi.spyOn(fileHandleProto, 'read');
    try {
      for (const index of [1, 2, 3]) await expect(get(store, index)).rejects.toThrow(/Could not satisfy length/);
      expect(reads).not.toHaveBeenCalled();
      expect((await get(store, 0)).equals(Buffer.alloc(CHUNK, 5))).toBe(true);
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
      await close(store);
    }
  });

  it('a range never written is still "not there" (a fresh download checks nothing)', async () => {
    const root = tempDir();
    const store = new NoFollowStore(CHUNK, { path: root, files: [{ path: 'f.bin', length: 2 * CHUNK, offset: 0 }] });
    await expect(get(store, 1)).rejects.toThrow(/Could not satisfy length/);
    await close(store);
  });
});
