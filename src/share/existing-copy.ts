/**
 * Is the file (or tree) already at `<out>/<name>` exactly the torrent's content? Checked
 * by reading it and comparing every piece's SHA-1 with the metadata, without writing
 * anything: a rerun of a finished `swarm get` succeeds instead of refusing to overwrite.
 * Links are not followed (lstat, O_NOFOLLOW): a link to the right content elsewhere is
 * not our copy, and a FIFO planted in its place must not block the read.
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createSha1 } from '../crypto/hash.js';
import bencode from 'bencode';

const READ_BYTES = 1024 * 1024;
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export async function isExistingCopyComplete(outDir: string, metadata: Uint8Array): Promise<boolean> {
  const decoded = bencode.decode(metadata);
  const info = decoded.info ?? decoded;
  const name = Buffer.from(info['name.utf-8'] ?? info.name).toString('utf8');
  const pieceLength = Number(info['piece length']);
  const hashes = Buffer.from(info.pieces);
  const files: { path: string; length: number }[] = Array.isArray(info.files)
    ? info.files.map((f: any) => ({
        path: join(outDir, name, ...(f['path.utf-8'] ?? f.path).map((p: Uint8Array) => Buffer.from(p).toString('utf8'))),
        length: Number(f.length),
      }))
    : [{ path: join(outDir, name), length: Number(info.length) }];
  for (const file of files) {
    const stats = await lstat(file.path).catch(() => undefined);
    if (!stats?.isFile() || stats.size !== file.length) return false;
  }
  // The folders on the way must be real folders too, not links to a copy elsewhere.
  const folders = new Set(files.flatMap((file) => ancestorsUnder(outDir, file.path)));
  for (const folder of folders) {
    const stats = await lstat(folder).catch(() => undefined);
    if (!stats?.isDirectory()) return false;
  }
  let piece = 0;
  let pieceFill = 0;
  let hash = createSha1();
  const endPiece = (): boolean => {
    const expected = hashes.subarray(piece * 20, piece * 20 + 20);
    const isMatch = hash.digest().equals(expected);
    piece += 1;
    pieceFill = 0;
    hash = createSha1();
    return isMatch;
  };
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  for (const file of files) {
    const handle = await open(file.path, READ_FLAGS).catch(() => undefined);
    if (!handle) return false;
    try {
      let position = 0;
      while (position < file.length) {
        const want = Math.min(READ_BYTES, file.length - position, pieceLength - pieceFill);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        if (bytesRead === 0) return false;
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
        pieceFill += bytesRead;
        if (pieceFill === pieceLength && !endPiece()) return false;
      }
    } finally {
      await handle.close();
    }
  }
  if (pieceFill > 0 && !endPiece()) return false;
  return piece * 20 === hashes.length;
}

/** Folders between outDir (exclusive) and path (exclusive). */
function ancestorsUnder(outDir: string, path: string): string[] {
  const folders: string[] = [];
  for (let folder = dirname(path); folder.length > outDir.length && folder.startsWith(outDir); folder = dirname(folder)) folders.push(folder);
  return folders;
}
