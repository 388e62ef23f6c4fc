/**
 * webtorrent's chunk store for `swarm share`: read-only, in place of fs-chunk-store.
 *
 * fs-chunk-store reads every piece into a buffer per file and then copies the result once
 * more (uint8-util concat, even for a single part): the sharer copied every byte it served
 * twice. Here a piece (or range) is read straight into the one buffer handed back. Each
 * file is opened once, read-only and with O_NOFOLLOW (a shared file swapped for a symbolic
 * link is not followed), and kept open for the share's life.
 *
 * A file replaced under the share keeps being read through the descriptor opened first
 * (the bytes that were hashed) until shared-file-watch.ts notices the new inode and stops
 * serving it; a truncated file makes a short read, which fails the get (the peer is sent
 * a reject, never zeros). Blocks are served from share-piece-cache.ts (webtorrent's own
 * cache is turned off for shares). Nothing is ever written, and destroy() never deletes the
 * user's files (fs-chunk-store's destroy would).
 */
import { close, constants, open, read } from 'node:fs';
import { join, sep } from 'node:path';
import { firstFileEndingAfter } from './file-spans.js';
import { SharePieceCache } from './share-piece-cache.js';

type Callback<T = void> = (error: Error | null, value?: T) => void;

interface ShareFile {
  path: string;
  length: number;
  offset: number;
  fd?: Promise<number>;
}

export interface ShareStoreOptions {
  /** The folder holding the torrent's top-level name (webtorrent's torrent.path). */
  path: string;
  files: { path: string; length: number; offset: number }[];
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

function openFd(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, OPEN_FLAGS, (error, fd) => (error ? reject(error) : resolve(fd))));
}

/** Reads exactly `length` bytes at `position` into `buffer` at `at`; a short file is an error. */
function readFully(fd: number, buffer: Buffer, at: number, length: number, position: number, done: (error: Error | null) => void): void {
  if (length === 0) return done(null);
  read(fd, buffer, at, length, position, (error, bytesRead) => {
    if (error) return done(error);
    if (bytesRead === 0) return done(new Error(`Could not satisfy length: the file ends before ${position}`));
    readFully(fd, buffer, at + bytesRead, length - bytesRead, position + bytesRead, done);
  });
}

export class ShareStore {
  readonly chunkLength: number;
  private readonly files: ShareFile[];
  private readonly length: number;
  private readonly lastChunkIndex: number;
  private readonly cache: SharePieceCache;
  private isClosed = false;

  constructor(chunkLength: number, options: ShareStoreOptions) {
    this.chunkLength = Number(chunkLength);
    this.files = options.files.map((file) => ({ path: join(options.path, ...file.path.split(sep)), length: file.length, offset: file.offset }));
    this.length = this.files.reduce((sum, file) => sum + file.length, 0);
    this.lastChunkIndex = Math.ceil(this.length / this.chunkLength) - 1;
    this.cache = new SharePieceCache(this.chunkLength, (index, into, done) => this.readInto(index * this.chunkLength, into, done));
  }

  private chunkBytes(index: number): number {
    return index === this.lastChunkIndex ? this.length - index * this.chunkLength : this.chunkLength;
  }

  private fdOf(file: ShareFile): Promise<number> {
    file.fd ??= openFd(file.path);
    return file.fd;
  }

  get(index: number, options: { offset?: number; length?: number } | null | Callback<Buffer>, maybeCallback?: Callback<Buffer>): void {
    const callback = (typeof options === 'function' ? options : maybeCallback) ?? (() => {});
    const range = typeof options === 'function' ? null : options;
    if (this.isClosed) return void queueMicrotask(() => callback(new Error('Storage is closed')));
    const chunkBytes = this.chunkBytes(index);
    const from = range?.offset ?? 0;
    const to = range?.length ? from + range.length : chunkBytes;
    if (!Number.isInteger(index) || index < 0 || index > this.lastChunkIndex || from < 0 || to > chunkBytes || from > to) {
      return void queueMicrotask(() => callback(new Error('Invalid offset and/or length')));
    }
    const isWholeChunk = from === 0 && to === chunkBytes;
    // Blocks come from the piece cache (the piece read once, whole); whole pieces and
    // ranges that find every cache slot busy are read straight into their own buffer.
    if (!isWholeChunk && this.cache.copyRange(index, chunkBytes, from, to, callback)) return;
    const buffer = Buffer.allocUnsafe(to - from); // every byte is read into, or the get fails
    this.readInto(index * this.chunkLength + from, buffer, (error) => callback(error, error ? undefined : buffer));
  }

  /** Fills `buffer` with the share's bytes from `start` on, across files. */
  private readInto(start: number, buffer: Buffer, done: (error: Error | null) => void): void {
    const end = start + buffer.length;
    let pending = 1;
    let failed: Error | null = null;
    const partDone = (error: Error | null) => {
      failed ??= error;
      if (--pending === 0) done(failed);
    };
    for (let i = firstFileEndingAfter(this.files, start); i < this.files.length && this.files[i]!.offset < end; i++) {
      const file = this.files[i]!;
      if (file.length === 0) continue;
      const partStart = Math.max(start, file.offset);
      const partEnd = Math.min(end, file.offset + file.length);
      pending++;
      this.fdOf(file).then(
        (fd) => readFully(fd, buffer, partStart - start, partEnd - partStart, partStart - file.offset, partDone),
        (error: Error) => partDone(error),
      );
    }
    partDone(null);
  }

  put(_index: number, _buffer: Uint8Array, callback: Callback = () => {}): void {
    queueMicrotask(() => callback(new Error('a share is read-only')));
  }

  close(callback: Callback = () => {}): void {
    if (this.isClosed) return void queueMicrotask(() => callback(null));
    this.isClosed = true;
    this.cache.clear();
    const closes = this.files.map(async (file) => {
      const fd = await file.fd?.catch(() => undefined);
      if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
    });
    Promise.all(closes).then(() => callback(null), (error: Error) => callback(error));
  }

  /** Closes only: the shared files are the user's, never deleted. */
  destroy(callback: Callback = () => {}): void {
    this.close(callback);
  }
}
