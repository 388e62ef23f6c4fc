/** A finished download found again on disk: every piece re-hashed across file boundaries. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bencode from 'bencode';
import { describe, expect, it } from 'vitest';
import { isExistingCopyComplete } from '../../src/share/existing-copy.js';
import { tempDir } from '../helpers/temp-home.js';

const PIECE = 16384;

function metadataFor(name: string, files: { path: string[]; data: Buffer }[]): Uint8Array {
  const all = Buffer.concat(files.map((f) => f.data));
  const hashes: Buffer[] = [];
  for (let offset = 0; offset < all.length; offset += PIECE) hashes.push(createHash('sha1').update(all.subarray(offset, offset + PIECE)).digest());
  return bencode.encode({
    info: { name, 'piece length': PIECE, pieces: Buffer.concat(hashes), files: files.map((f) => ({ length: f.data.length, path: f.path })) },
  });
}

describe('isExistingCopyComplete', () => {
  it('is true only for exactly the torrent content', async () => {
    const out = tempDir();
    const a = randomBytes(20_000);
    const b = randomBytes(30_001);
    const metadata = metadataFor('tree', [{ path: ['a.bin'], data: a }, { path: ['sub', 'b.bin'], data: b }]);
    mkdirSync(join(out, 'tree', 'sub'), { recursive: true });
    writeFileSync(join(out, 'tree', 'a.bin'), a);
    writeFileSync(join(out, 'tree', 'sub', 'b.bin'), b);
    expect(await isExistingCopyComplete(out, metadata)).toBe(true);
    const changed = Buffer.from(b);
    changed[29_000] ^= 1;
    writeFileSync(join(out, 'tree', 'sub', 'b.bin'), changed);
    expect(await isExistingCopyComplete(out, metadata)).toBe(false);
    writeFileSync(join(out, 'tree', 'sub', 'b.bin'), b.subarray(0, 100));
    expect(await isExistingCopyComplete(out, metadata)).toBe(false);
    rmSync(join(out, 'tree', 'sub', 'b.bin'));
    expect(await isExistingCopyComplete(out, metadata)).toBe(false);
  });
});
