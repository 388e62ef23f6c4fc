/**
 * streamx's Duplex, typed locally (the project's `declare module 'streamx'`, in
 * share/vendor-modules.d.ts, types the slice share/ uses). streamx is used because webtorrent
 * moves bytes markedly faster over a streamx Duplex than over a node:stream one (design.md
 * section 4). A static import, not createRequire: the CLI bundle then shares the copy
 * webtorrent's modules bundle instead of loading streamx and its four dependencies from
 * node_modules through the CommonJS loader at every start.
 */
import type { EventEmitter } from 'node:events';
import { Duplex, isFinished } from 'streamx';

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

const DuplexClass = Duplex as unknown as new (options: StreamxDuplexOptions) => StreamxDuplex;

export function createStreamxDuplex(options: StreamxDuplexOptions): StreamxDuplex {
  return new DuplexClass(options);
}

/**
 * True once the stream's writable side has ended (its final ran). streamx drops later writes
 * and returns false for them, and emits no 'drain' any more: a writer must not wait for one.
 */
export function hasFinishedWriting(stream: StreamxDuplex): boolean {
  return isFinished(stream);
}
