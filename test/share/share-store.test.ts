/**
 * The read-only chunk store `swarm share` serves from: pieces and ranges across file
 * boundaries read back exactly; it never writes or deletes; a file swapped for a symbolic
 * link is not followed; a file replaced after its first read keeps serving the bytes of
 * the descriptor opened first; a truncated file fails the read instead of sending zeros.
 */
import { renameSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShareStore } from '../../src/share/share-store.js';
import { tempDir } from '../helpers/temp-home.js';

const CHUNK = 16;

function storeFor(root: string, files: { path: string[]; length: number }[]): ShareStore {
  let offset = 0;
  return new ShareStore(CHUNK, { path: root, files: files.map((f) => ({ path: f.path.join(sep), length: f.length, offset: (offset += f.length) - f.length })) });
}

const get = (store: ShareStore, index: number, range?: { offset: number; length: number }) =>
  new Promise<Buffer>((resolve, reject) => store.get(index, range ?? null, (e, b) => (e ? reject(e) : resolve(Buffer.from(b!)))));
const close = (store: ShareStore) => new Promise<void>((resolve) => store.close(() => resolve()));

/** A folder `t` with a.bin (10 bytes), empty.bin (0) and sub/b.bin (30): 40 bytes, 3 chunks. */
function makeShare(): { root: string; data: Buffer; store: ShareStore } {
  const root = tempDir();
  const data = Buffer.from(Array.from({ length: 40 }, (_, i) => i + 1));
  mkdirSync(join(root, 't', 'sub'), { recursive: true });
  writeFileSync(join(root, 't', 'a.bin'), data.subarray(0, 10));
  writeFileSync(join(root, 't', 'empty.bin'), '');
  writeFileSync(join(root, 't', 'sub', 'b.bin'), data.subarray(10));
  const store = storeFor(root, [{ path: ['t', 'a.bin'], length: 10 }, { path: ['t', 'empty.bin'], length: 0 }, { path: ['t', 'sub', 'b.bin'], length: 30 }]);
  return { root, data, store };
}

describe('ShareStore', () => {
  it('reads whole chunks and ranges across file boundaries, the last chunk short', async () => {
    const { data, store } = makeShare();
    expect(await get(store, 0)).toEqual(data.subarray(0, 16));
    expect(await get(store, 1)).toEqual(data.subarray(16, 32));
    expect(await get(store, 2)).toEqual(data.subarray(32, 40));
    expect(await get(store, 0, { offset: 8, length: 4 })).toEqual(data.subarray(8, 12));
    expect(await get(store, 1, { offset: 15, length: 1 })).toEqual(data.subarray(31, 32));
    await expect(get(store, 2, { offset: 4, length: 8 })).rejects.toThrow(/Invalid offset/);
    await expect(get(store, 3)).rejects.toThrow(/Invalid offset/);
    await close(store);
    await expect(get(store, 0)).rejects.toThrow(/closed/);
  });

  it('never writes, and destroy leaves the shared files in place', async () => {
    const { root, data, store } = makeShare();
    await expect(new Promise((resolve, reject) => store.put(0, Buffer.alloc(CHUNK), (e) => (e ? reject(e) : resolve(undefined))))).rejects.toThrow(/read-only/);
    await get(store, 0);
    await new Promise((resolve) => store.destroy(resolve));
    expect(readFileSync(join(root, 't', 'a.bin'))).toEqual(data.subarray(0, 10));
    expect(existsSync(join(root, 't', 'sub', 'b.bin'))).toBe(true);
  });

  it('does not follow a shared file swapped for a symbolic link', async () => {
    const { root, store } = makeShare();
    const secret = join(tempDir(), 'secret');
    writeFileSync(secret, Buffer.alloc(10, 0x53));
    rmSync(join(root, 't', 'a.bin'));
    symlinkSync(secret, join(root, 't', 'a.bin'));
    await expect(get(store, 0)).rejects.toThrow(/ELOOP|symbolic/i);
    await close(store);
  });

  it('keeps serving the hashed bytes through the first descriptor when the file is replaced', async () => {
    const { root, data, store } = makeShare();
    expect(await get(store, 0)).toEqual(data.subarray(0, 16)); // opens both files
    const replacement = join(root, 't', 'a.new');
    writeFileSync(replacement, Buffer.alloc(10, 0xee));
    renameSync(replacement, join(root, 't', 'a.bin'));
    expect(await get(store, 0)).toEqual(data.subarray(0, 16));
    await close(store);
  });

  it('fails a read of a truncated file instead of padding it', async () => {
    const { root, store } = makeShare();
    truncateSync(join(root, 't', 'sub', 'b.bin'), 5); // chunk 0 needs its first 6 bytes
    await expect(get(store, 0)).rejects.toThrow(/Could not satisfy length/);
    await expect(get(store, 2)).rejects.toThrow(/Could not satisfy length/);
    await close(store);
  });
});
