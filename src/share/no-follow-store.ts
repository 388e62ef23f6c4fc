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
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { errors, systemErrorCode } from '../errors.js';

type Callback<T = void> = (error: Error | null, value?: T) => void;

interface StoreFile {
  parts: string[];
  length: number;
  offset: number;
  handle?: Promise<FileHandle>;
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
}

const OPEN_FLAGS = constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const ownUid = typeof process.getuid === 'function' ? process.getuid() : undefined;

const unsafePath = errors.unsafePath;

function isOwn(uid: number): boolean {
  return ownUid === undefined || uid === ownUid;
}

/** mkdir one level at a time under root; each level must be a real folder we own. */
async function ensureFolders(root: string, parts: string[]): Promise<void> {
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
    this.files = options.files.map((file) => ({ parts: file.path.split(sep), length: file.length, offset: file.offset }));
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
  }

  private chunkBytes(index: number): number {
    return index === this.lastChunkIndex ? this.length - index * this.chunkLength : this.chunkLength;
  }

  private handleOf(file: StoreFile): Promise<FileHandle> {
    if (this.isClosed) return Promise.reject(new Error('Storage is closed'));
    file.handle ??= openNoFollow(this.root, file.parts);
    return file.handle;
  }

  put(index: number, buffer: Uint8Array, callback: Callback = () => {}): void {
    const targets = this.chunks[index];
    if (!targets || buffer.length !== this.chunkBytes(index)) return void queueMicrotask(() => callback(new Error(`bad chunk ${index}`)));
    const writes = targets.map(async (target) => {
      const handle = await this.handleOf(target.file);
      const bytes = buffer.subarray(target.from, target.to);
      let written = 0;
      while (written < bytes.length) {
        written += (await handle.write(bytes, written, bytes.length - written, target.fileOffset + written)).bytesWritten;
      }
    });
    Promise.all(writes).then(() => callback(null), (error: Error) => callback(error));
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
        const bytes = Buffer.allocUnsafe(end - start); // fully overwritten, or the read fails below
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, target.fileOffset + (start - target.from));
        if (bytesRead !== bytes.length) throw new Error('Could not satisfy length');
        return bytes;
      });
    Promise.all(reads).then((buffers) => callback(null, Buffer.concat(buffers)), (error: Error) => callback(error));
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
