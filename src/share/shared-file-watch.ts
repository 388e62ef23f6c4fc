/**
 * A sharer's files may change on disk after they were hashed (truncated, rewritten,
 * replaced). Serving them then sends bytes that fail the getter's hash check, or nothing
 * at all for a truncated file, and the getter waits forever. Before any block of a piece
 * is read, the files under that piece are stat'ed and compared with how they were when
 * the share started (size, mtime, inode): a file that differs is marked changed for good,
 * reported once ('file-changed'), and no piece touching it is served again.
 *
 * A stat costs about 10 us here; answering every 16 KiB block that way would cost a sharer
 * at 72 MB/s about 4 % of a core, so a file is stat'ed at most once per RESTAT_EVERY_MS:
 * blocks read in that window after a change may go out, and fail the getter's hash check.
 *
 * ctime is not compared: chmod or a new hard link changes it without touching the bytes.
 * A rewrite that restores size and mtime (and keeps the inode) is not noticed here; the
 * getter's hash check still catches it (corrupt-piece-guard.ts).
 */
import { EventEmitter } from 'node:events';
import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Torrent } from 'webtorrent';
import { firstFileEndingAfter } from './file-spans.js';

export const RESTAT_EVERY_MS = 10;

export interface FileChange {
  /** The file's path inside the torrent (name/…), as getters know it. */
  path: string;
  /** What differs, e.g. "size 4194304 -> 1048576 bytes". */
  reason: string;
}

interface WatchedFile {
  path: string;
  absolutePath: string;
  offset: number;
  length: number;
  size: number;
  mtimeMs: number;
  ino: number;
  checkedAtMs: number;
  change?: FileChange;
}

function describeChange(file: WatchedFile, stat: Stats | undefined): string | undefined {
  if (!stat) return 'it is gone';
  if (!stat.isFile()) return 'it is no longer a regular file';
  if (stat.size !== file.size) return `size ${file.size} -> ${stat.size} bytes`;
  if (stat.ino !== file.ino) return 'it was replaced by another file';
  if (stat.mtimeMs !== file.mtimeMs) return 'it was modified';
  return undefined;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Emits 'file-changed' (FileChange) once per file. */
export class SharedFileWatch extends EventEmitter {
  private readonly files: WatchedFile[] = [];

  /** Call once the torrent is seeded: what is on disk now is what was hashed. */
  constructor(private readonly torrent: Torrent) {
    super();
    this.setMaxListeners(0); // one listener per connected wire (changed-files-link.ts)
    for (const file of torrent.files) {
      const absolutePath = join(torrent.path, file.path);
      const stat = statOrUndefined(absolutePath);
      this.files.push({
        path: file.path, absolutePath, offset: file.offset, length: file.length,
        size: stat?.size ?? -1, mtimeMs: stat?.mtimeMs ?? -1, ino: stat?.ino ?? -1, checkedAtMs: Date.now(),
      });
    }
  }

  /** False if a file under piece `index` changed since the share started (checked within RESTAT_EVERY_MS). */
  isServable(index: number): boolean {
    const nowMs = Date.now();
    const start = index * this.torrent.pieceLength;
    const end = Math.min(start + this.torrent.pieceLength, this.torrent.length);
    let isServable = true;
    // Called for every block served: visit only the files under the piece, not all of them
    // (a share may hold 100,000 files). Files are in torrent order, by offset.
    for (let i = firstFileEndingAfter(this.files, start); i < this.files.length && this.files[i]!.offset < end; i++) {
      const file = this.files[i]!;
      if (file.length === 0) continue; // zero-length files hold no piece bytes
      if (!file.change && nowMs - file.checkedAtMs >= RESTAT_EVERY_MS) this.check(file, nowMs);
      if (file.change) isServable = false;
    }
    return isServable;
  }

  /** Files found changed so far. */
  changes(): FileChange[] {
    return this.files.flatMap((file) => (file.change ? [file.change] : []));
  }

  private check(file: WatchedFile, nowMs: number): void {
    file.checkedAtMs = nowMs;
    const reason = describeChange(file, statOrUndefined(file.absolutePath));
    if (!reason) return;
    file.change = { path: file.path, reason };
    this.emit('file-changed', file.change);
  }
}
