/**
 * webtorrent's chunk store for `swarm get`, replacing fs-chunk-store, which opens paths
 * with plain fs calls and `mkdir -p`: a symlink planted in the output directory (by
 * another local user of a shared folder, between our checks and the first write) would
 * be followed, and the download written wherever it points.
 *
 * Here every folder under the output directory is created one level at a time and
 * checked with lstat (a real directory, ours), and every file is opened with O_NOFOLLOW
 * and checked with fstat (a regular file, ours). The output directory itself is the
 * user's choice and may be a link. Node has no openat(), so a folder swapped for a link
 * between its lstat and the file's open is the one window left; O_NOFOLLOW still stops
 * the last step.
 *
 * While downloading, the torrent's name (the first path component) is replaced by
 * `topName` (`<name>.part`), so nothing under the final name looks finished before it is.
 * An all-zero range past the file's end when it was opened is not written: webtorrent
 * puts each verified piece once, so nothing else was ever written there and the file keeps
 * a hole (a sparse source stays sparse). Reads of it return zeros, and finishFiles() gives
 * every file its full length at the end (0-byte files included).
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { errors, isSwarmError, systemErrorCode } from '../errors.js';
import { releasePieceBuffer } from './piece-buffers.js';

type Callback<T = void> = (error: Error | null, value?: T) => void;

interface StoreFile {
  parts: string[];
  length: number;
  offset: number;
  handle?: Promise<FileHandle>;
  /** The file's size when opened: bytes past it held nothing before this run. */
  openedBytes: number;
  /** Up to here a short read is a skipped all-zero range (or a write): it reads as zeros. */
  zeroEnd: number;
}

interface Target {
  file: StoreFile;
  /** Range of the chunk that lands in this file, and where in the file it starts. */
  from: number;
  to: number;
  fileOffset: number;
}

export interface NoFollowStoreOptions {
  path: string;
  files: { path: string; length: number; offset: number }[];
  /** Written in place of the torrent's name (the first path component of every file). */
  topName?: string;
  /** Handed the store once built, so the session can call finishFiles(). */
  onCreate?: (store: NoFollowStore) => void;
}

const ZEROS = new Uint8Array(64 * 1024);

function isAllZero(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || bytes[0] !== 0 || bytes[bytes.length - 1] !== 0) return bytes.length === 0;
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const part = bytes.subarray(at, at + ZEROS.length);
    if (Buffer.compare(part, ZEROS.subarray(0, part.length)) !== 0) return false;
  }
  return true;
}

const SYSTEM_REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EFBIG: 'the file is too large for this file system',
  ENAMETOOLONG: 'the name is too long for this file system',
  EIO: 'input/output error (a failing disk?)',
};

/** A failed write as a SwarmError naming the file; a full disk says how to go on. */
function diskError(error: unknown, root: string, parts: string[]): unknown {
  const code = systemErrorCode(error);
  if (isSwarmError(error) || code === undefined) return error;
  const path = join(root, ...parts);
  if (code === 'ENOSPC' || code === 'EDQUOT') return errors.diskFull(root, parts.join('/'), path);
  return errors.writeFailed(path, SYSTEM_REASONS[code] ?? code);
}

const OPEN_FLAGS = constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const ownUid = typeof process.getuid === 'function' ? process.getuid() : undefined;

const unsafePath = errors.unsafePath;

function isOwn(uid: number): boolean {
  return ownUid === undefined || uid === ownUid;
}

/** mkdir one level at a time under root; each level must be a real folder we own. */
export async function ensureFolders(root: string, parts: string[]): Promise<void> {
  let path = root;
  for (const part of parts) {
    path = join(path, part);
    await mkdir(path).catch((error: unknown) => {
      if (systemErrorCode(error) !== 'EEXIST') throw error;
    });
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) throw unsafePath(path, 'it is a symbolic link');
    if (!stats.isDirectory()) throw unsafePath(path, 'a folder is needed there');
    if (!isOwn(stats.uid)) throw unsafePath(path, 'the folder belongs to another user');
  }
}

export async function openNoFollow(root: string, parts: string[]): Promise<FileHandle> {
  await ensureFolders(root, parts.slice(0, -1));
  const path = join(root, ...parts);
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS, 0o666);
  } catch (error) {
    if (systemErrorCode(error) === 'ELOOP') throw unsafePath(path, 'it is a symbolic link');
    throw error;
  }
  const stats = await handle.stat();
  if (!stats.isFile() || !isOwn(stats.uid)) {
    await handle.close();
    throw unsafePath(path, stats.isFile() ? 'the file belongs to another user' : 'it is not a regular file');
  }
  return handle;
}

export class NoFollowStore {
  readonly chunkLength: number;
  private readonly root: string;
  private readonly files: StoreFile[];
  private readonly chunks: Target[][] = [];
  private readonly length: number;
  private readonly lastChunkIndex: number;
  private isClosed = false;

  constructor(chunkLength: number, options: NoFollowStoreOptions) {
    this.chunkLength = Number(chunkLength);
    this.root = options.path;
    this.files = options.files.map((file) => {
      const parts = file.path.split(sep);
      if (options.topName) parts[0] = options.topName;
      return { parts, length: file.length, offset: file.offset, openedBytes: 0, zeroEnd: 0 };
    });
    this.length = this.files.reduce((sum, file) => sum + file.length, 0);
    this.lastChunkIndex = Math.ceil(this.length / this.chunkLength) - 1;
    for (const file of this.files) {
      if (file.length === 0) continue;
      const end = file.offset + file.length;
      for (let index = Math.floor(file.offset / this.chunkLength); index <= Math.floor((end - 1) / this.chunkLength); index++) {
        const chunkStart = index * this.chunkLength;
        const from = Math.max(file.offset, chunkStart) - chunkStart;
        const to = Math.min(end, chunkStart + this.chunkLength) - chunkStart;
        (this.chunks[index] ??= []).push({ file, from, to, fileOffset: chunkStart + from - file.offset });
      }
    }
    options.onCreate?.(this);
  }

  private chunkBytes(index: number): number {
    return index === this.lastChunkIndex ? this.length - index * this.chunkLength : this.chunkLength;
  }

  private handleOf(file: StoreFile): Promise<FileHandle> {
    if (this.isClosed) return Promise.reject(new Error('Storage is closed'));
    file.handle ??= openNoFollow(this.root, file.parts).then(async (handle) => {
      file.openedBytes = file.zeroEnd = (await handle.stat()).size;
      return handle;
    });
    return file.handle;
  }

  /**
   * Every file exists with its full length (holes stay holes): called when every piece is
   * verified, before the files are moved to their final names. Leaves every file open.
   */
  async finishFiles(): Promise<void> {
    for (const file of this.files) {
      try {
        const handle = await this.handleOf(file);
        if ((await handle.stat()).size !== file.length) await handle.truncate(file.length);
        if (file.length === 0) {
          file.handle = undefined; // nothing is ever read from it: do not hold one descriptor per empty file
          await handle.close();
        }
      } catch (error) {
        throw diskError(error, this.root, file.parts);
      }
    }
  }

  put(index: number, buffer: Uint8Array, callback: Callback = () => {}): void {
    const targets = this.chunks[index];
    if (!targets || buffer.length !== this.chunkBytes(index)) return void queueMicrotask(() => callback(new Error(`bad chunk ${index}`)));
    const writes = targets.map(async ({ file, from, to, fileOffset }) => {
      try {
        const handle = await this.handleOf(file);
        const bytes = buffer.subarray(from, to);
        const end = fileOffset + bytes.length;
        file.zeroEnd = Math.max(file.zeroEnd, end);
        if (fileOffset >= file.openedBytes && isAllZero(bytes)) return; // already a hole
        let written = 0;
        while (written < bytes.length) {
          written += (await handle.write(bytes, written, bytes.length - written, fileOffset + written)).bytesWritten;
        }
      } catch (error) {
        throw diskError(error, this.root, file.parts);
      }
    });
    Promise.all(writes).then(
      () => {
        callback(null);
        // On disk, and webtorrent has let go of it (its put callback ran): the buffer is free.
        releasePieceBuffer(buffer);
      },
      (error: Error) => callback(error),
    );
  }

  get(index: number, options: { offset?: number; length?: number } | null | Callback<Uint8Array>, maybeCallback?: Callback<Uint8Array>): void {
    const callback = (typeof options === 'function' ? options : maybeCallback) ?? (() => {});
    const range = typeof options === 'function' ? null : options;
    const targets = this.chunks[index];
    const chunkBytes = this.chunkBytes(index);
    const from = range?.offset ?? 0;
    const to = range?.length ? from + range.length : chunkBytes;
    if (!targets || from < 0 || to > chunkBytes) return void queueMicrotask(() => callback(new Error('Invalid offset and/or length')));
    const reads = targets
      .filter((target) => target.to > from && target.from < to)
      .map(async (target) => {
        const start = Math.max(from, target.from);
        const end = Math.min(to, target.to);
        const handle = await this.handleOf(target.file);
        const position = target.fileOffset + (start - target.from);
        // Past what the file holds (its size when opened, or what we wrote or skipped as zeros
        // since): fail without a read. webtorrent checks every piece of a new download this
        // way before its first request, one thread-pool read per piece that cannot be there.
        if (position + (end - start) > target.file.zeroEnd) throw new Error('Could not satisfy length');
        const bytes = Buffer.allocUnsafe(end - start); // fully overwritten: read, or zeros below
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, position);
        if (bytesRead !== bytes.length) bytes.fill(0, bytesRead); // a skipped all-zero range past the end of the file so far
        return bytes;
      });
    // One file (the usual case): its buffer as read, not a copy of it.
    Promise.all(reads).then((buffers) => callback(null, buffers.length === 1 ? buffers[0] : Buffer.concat(buffers)), (error: Error) => callback(error));
  }

  close(callback: Callback = () => {}): void {
    if (this.isClosed) return void queueMicrotask(() => callback(null));
    this.isClosed = true;
    const closes = this.files.map(async (file) => {
      const handle = await file.handle?.catch(() => undefined);
      await handle?.close();
    });
    Promise.all(closes).then(() => callback(null), (error: Error) => callback(error));
  }

  destroy(callback: Callback = () => {}): void {
    this.close(() => {
      const removals = this.files.map((file) => unlink(join(this.root, ...file.parts)).catch(() => {}));
      Promise.all(removals).then(() => callback(null), (error: Error) => callback(error));
    });
  }
}
