/**
 * Two connected in-memory node:stream Duplexes (Node 20 has no stream.duplexPair): bytes
 * written to one are read from the other; ending one ends the other's readable side;
 * destroying one closes both, like a TCP reset.
 */
import { Duplex } from 'node:stream';

export function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const make = (index: number) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        sides[1 - index]!.push(chunk);
        callback();
      },
      final(callback) {
        sides[1 - index]!.push(null);
        callback();
      },
      destroy(error, callback) {
        const other = sides[1 - index]!;
        if (!other.destroyed) setImmediate(() => other.destroy());
        callback(error);
      },
    });
  sides.push(make(0), make(1));
  return [sides[0]!, sides[1]!];
}

export interface Collected {
  data: Buffer[];
  text: () => string;
  bytes: () => number;
  closed: Promise<Error | undefined>;
  /** Resolves once at least `count` bytes have arrived; rejects if the stream closes first. */
  untilBytes: (count: number) => Promise<void>;
}

/** Collects everything a readable emits until it closes. */
export function collect(stream: { on(event: string, listener: (...args: any[]) => void): unknown }): Collected {
  const data: Buffer[] = [];
  let error: Error | undefined;
  const bytes = () => data.reduce((n, b) => n + b.length, 0);
  let byteWaiters: (() => void)[] = [];
  stream.on('data', (chunk: Buffer) => {
    data.push(Buffer.from(chunk));
    for (const check of byteWaiters) check();
  });
  stream.on('error', (e: Error) => (error = e));
  const closed = new Promise<Error | undefined>((resolve) => stream.on('close', () => resolve(error)));
  const untilBytes = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (bytes() < count) return;
        byteWaiters = byteWaiters.filter((waiter) => waiter !== check);
        resolve();
      };
      byteWaiters.push(check);
      check();
      void closed.then(() => reject(new Error(`closed after ${bytes()} of ${count} bytes`)));
    });
  return { data, text: () => Buffer.concat(data).toString('utf8'), bytes, closed, untilBytes };
}
