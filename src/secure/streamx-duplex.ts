/**
 * streamx's Duplex, loaded with require and typed locally. streamx ships no types, and a
 * second `declare module 'streamx'` elsewhere in the project would clash with another
 * module's declaration. streamx is used because webtorrent moves bytes markedly faster over
 * a streamx Duplex than over a node:stream one (design.md section 4).
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

type Callback = (error?: Error | null) => void;

export interface StreamxDuplexOptions {
  highWaterMark?: number;
  mapWritable?: (data: unknown) => unknown;
  read?: (cb: Callback) => void;
  writev?: (batch: Buffer[], cb: Callback) => void;
  final?: (cb: Callback) => void;
  predestroy?: () => void;
  destroy?: (cb: Callback) => void;
}

export interface StreamxDuplex extends EventEmitter {
  push(data: Uint8Array | null): boolean;
  write(data: Uint8Array | string): boolean;
  end(data?: Uint8Array | string): this;
  destroy(error?: Error): void;
  pause(): this;
  resume(): this;
  readonly destroyed: boolean;
  readonly destroying: boolean;
}

const require = createRequire(import.meta.url);
const streamx = require('streamx') as { Duplex: new (options: StreamxDuplexOptions) => StreamxDuplex };

export function createStreamxDuplex(options: StreamxDuplexOptions): StreamxDuplex {
  return new streamx.Duplex(options);
}
