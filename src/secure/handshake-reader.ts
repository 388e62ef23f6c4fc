/**
 * Reads the handshake phase off a raw duplex as awaitable pieces (preamble, frames), then
 * hands any bytes that arrived after them to the SecureChannel. Paused on detach so no
 * chunk is lost between the two listeners.
 */
import type { Duplex } from 'node:stream';
import { FRAME_HEADER_BYTES } from './frame-codec.js';
import { errors } from '../errors.js';

export class HandshakeReader {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private waiter?: { bytes: number; resolve: (data: Buffer) => void; reject: (error: Error) => void };
  private failure?: Error;
  private readonly failureListeners = new Set<(error: Error) => void>();
  private readonly onData = (chunk: Buffer) => {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.settle();
  };
  private readonly onEnd = () => this.abort(errors.connectionClosed());
  private readonly onError = (error: Error) => this.abort(error);

  /** `early`: bytes already read from `raw` before this reader took over. */
  constructor(private readonly raw: Duplex, early?: Buffer) {
    if (early && early.length > 0) {
      this.chunks.push(early);
      this.bufferedBytes = early.length;
    }
    raw.on('data', this.onData);
    raw.on('end', this.onEnd);
    raw.on('close', this.onEnd);
    raw.on('error', this.onError);
  }

  readExactly(bytes: number): Promise<Buffer> {
    if (this.waiter) throw new Error('HandshakeReader: one read at a time');
    return new Promise((resolve, reject) => {
      this.waiter = { bytes, resolve, reject };
      this.settle();
    });
  }

  /** One length-prefixed frame body; refuses a length above `maxBytes` before reading the body. */
  async readFrame(maxBytes: number): Promise<Buffer> {
    const length = (await this.readExactly(FRAME_HEADER_BYTES)).readUInt16BE(0);
    if (length > maxBytes) throw errors.frameTooLarge(length, maxBytes);
    return this.readExactly(length);
  }

  abort(error: Error): void {
    this.failure ??= error;
    this.settle();
    for (const listener of this.failureListeners) listener(this.failure);
    this.failureListeners.clear();
  }

  /**
   * Waits for `promise`, but rejects as soon as the connection fails (closed, ended, the
   * deadline): a connection that ended right after its message 1 gets no answer at all.
   */
  unlessFailed<T>(promise: Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.failureListeners.add(reject);
      promise.then(
        (value) => {
          this.failureListeners.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.failureListeners.delete(reject);
          reject(error);
        },
      );
    });
  }

  /** Stops listening and returns the unread bytes. */
  detach(): Buffer {
    this.raw.pause();
    this.raw.off('data', this.onData);
    this.raw.off('end', this.onEnd);
    this.raw.off('close', this.onEnd);
    this.raw.off('error', this.onError);
    const rest = Buffer.concat(this.chunks, this.bufferedBytes);
    this.chunks = [];
    this.bufferedBytes = 0;
    return rest;
  }

  private settle(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.bufferedBytes >= waiter.bytes) {
      this.waiter = undefined;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bufferedBytes);
      const rest = all.subarray(waiter.bytes);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      waiter.resolve(all.subarray(0, waiter.bytes));
    } else if (this.failure) {
      this.waiter = undefined;
      waiter.reject(this.failure);
    }
  }
}
