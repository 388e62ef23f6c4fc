/**
 * Joins two links at a relay: what is read from one is written to the other, in order,
 * with backpressure (a full writer pauses the reader) and the relay's rate limit. An end
 * is passed on; a close of either closes both. Every chunk is shown to `meter`, which may
 * stop the splice (a per-key byte cap) and sees only what the relay sees: ciphertext of
 * the two ends' own session.
 */
import type { PeerLink } from '../net/peer-link.js';
import type { ByteRate } from './byte-rate.js';

export interface SpliceMeter {
  /** Bytes read from `from`; false closes the splice. */
  passed(from: PeerLink, chunk: Buffer): boolean;
}

export interface SpliceResult {
  /** Bytes forwarded a -> b and b -> a. */
  aToB: number;
  bToA: number;
}

export function splice(a: PeerLink, b: PeerLink, meter: SpliceMeter, rate?: ByteRate): Promise<SpliceResult> {
  return new Promise((resolve) => {
    const result: SpliceResult = { aToB: 0, bToA: 0 };
    let isDone = false;
    const timers = new Set<NodeJS.Timeout>();
    const finish = () => {
      if (isDone) return;
      isDone = true;
      for (const timer of timers) clearTimeout(timer);
      a.close();
      b.close();
      resolve(result);
    };
    const pump = (from: PeerLink, to: PeerLink, add: (n: number) => void) => {
      let blocks = 0;
      const block = () => {
        if (blocks++ === 0) from.stream.pause();
      };
      const unblock = () => {
        if (--blocks === 0 && !isDone) from.stream.resume();
      };
      from.stream.on('data', (chunk: Buffer) => {
        if (isDone) return;
        if (!meter.passed(from, chunk)) return finish();
        add(chunk.length);
        if (!to.stream.write(chunk)) {
          block();
          to.stream.once('drain', unblock);
        }
        const waitMs = rate?.take(chunk.length) ?? 0;
        if (waitMs > 0) {
          block();
          const timer = setTimeout(() => {
            timers.delete(timer);
            unblock();
          }, waitMs);
          timers.add(timer);
        }
      });
      from.stream.on('end', () => to.stream.end());
      from.stream.on('error', () => {});
      from.stream.once('close', finish);
    };
    // One side may have gone between the call's answer and this splice: its 'close' is past.
    if (a.stream.destroyed || b.stream.destroyed) return finish();
    pump(a, b, (n) => (result.aToB += n));
    pump(b, a, (n) => (result.bToA += n));
    a.stream.resume();
    b.stream.resume();
  });
}
