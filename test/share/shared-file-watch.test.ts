import { EventEmitter } from 'node:events';
import { mkdirSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESTAT_EVERY_MS, SharedFileWatch, type FileChange } from '../../src/share/shared-file-watch.js';
import { tempDir } from '../helpers/temp-home.js';
import type { Torrent } from 'webtorrent';

const PIECE_BYTES = 1024;
const TIME_S = 1_700_000_000;

/** A folder torrent of files `a` (2.5 pieces), `empty` (0 bytes) and `b` (1.5 pieces), as webtorrent lays it out. */
function folderTorrent(): { torrent: Torrent; dir: string } {
  const root = tempDir();
  const dir = join(root, 'share');
  const sizes: [string, number][] = [['a', 2560], ['empty', 0], ['b', 1536]];
  mkdirSync(dir);
  let offset = 0;
  const files = sizes.map(([name, length]) => {
    writeFileSync(join(dir, name), Buffer.alloc(length, 7));
    utimesSync(join(dir, name), TIME_S, TIME_S);
    const file = { name, path: `share/${name}`, length, offset };
    offset += length;
    return file;
  });
  const torrent = Object.assign(new EventEmitter(), { path: root, files, pieceLength: PIECE_BYTES, length: offset }) as unknown as Torrent;
  return { torrent, dir };
}

/** Past the window in which a file's last stat stands. */
const afterRestatWindow = () => new Promise((resolve) => setTimeout(resolve, RESTAT_EVERY_MS + 5));

describe('shared file watch', () => {
  it('serves everything while nothing changed', () => {
    const { torrent } = folderTorrent();
    const watch = new SharedFileWatch(torrent);
    for (let index = 0; index < 4; index++) expect(watch.isServable(index)).toBe(true);
    expect(watch.changes()).toEqual([]);
  });

  it('refuses only the pieces of a truncated file, and reports it once', async () => {
    const { torrent, dir } = folderTorrent();
    const watch = new SharedFileWatch(torrent);
    const reported: FileChange[] = [];
    watch.on('file-changed', (change: FileChange) => reported.push(change));
    truncateSync(join(dir, 'b'), 10);
    await afterRestatWindow();
    expect(watch.isServable(0)).toBe(true); // a only
    expect(watch.isServable(1)).toBe(true);
    expect(watch.isServable(2)).toBe(false); // a's end and b's start
    expect(watch.isServable(3)).toBe(false);
    expect(watch.isServable(3)).toBe(false);
    expect(reported).toEqual([{ path: 'share/b', reason: 'size 1536 -> 10 bytes' }]);
    expect(watch.changes()).toEqual(reported);
  });

  it('notices a same-size rewrite by its mtime, a replacement by its inode, and a removal', async () => {
    const { torrent, dir } = folderTorrent();
    const watch = new SharedFileWatch(torrent);
    writeFileSync(join(dir, 'a'), Buffer.alloc(2560, 9)); // same size, same inode, new mtime
    writeFileSync(join(dir, 'b.new'), Buffer.alloc(1536, 7));
    utimesSync(join(dir, 'b.new'), TIME_S, TIME_S);
    renameSync(join(dir, 'b.new'), join(dir, 'b')); // same size and mtime, another file
    await afterRestatWindow();
    expect(watch.isServable(0)).toBe(false);
    expect(watch.isServable(3)).toBe(false);
    expect(watch.changes()).toEqual([
      { path: 'share/a', reason: 'it was modified' },
      { path: 'share/b', reason: 'it was replaced by another file' },
    ]);
    const other = folderTorrent();
    const removed = new SharedFileWatch(other.torrent);
    rmSync(join(other.dir, 'a'));
    await afterRestatWindow();
    expect(removed.isServable(1)).toBe(false);
    expect(removed.changes()).toEqual([{ path: 'share/a', reason: 'it is gone' }]);
  });
});
