/**
 * Joins two links at a relay: what is read from one is written to the other, in order,
 * with backpressure (a full writer pauses the reader) and the relay's rate limit. An end
 * is passed on; a close of either closes both. Every chunk is shown to `meter`, which may
 * stop the splice (a per-key byte cap) and sees only what the relay sees: ciphertext of
 * the two ends' own session.
 *
 * A link whose writable side has finished (its peer ended in order and the relay answered,
 * or the other side's end was passed on) takes nothing more: what still comes for it is
 * dropped rather than waited on, since a finished stream never emits 'drain'. Once both
 * links have finished writing, nothing can move either way and the splice is over, even if
 * a paused reader still holds bytes that were meant for a peer that has gone.
 */
import type { PeerLink } from '../net/peer-link.js';
import { hasFinishedWriting } from '../secure/streamx-duplex.js';
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
    let finishedWriters = 0;
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
      let isToFinished = false;
      let waitingDrain: (() => void) | undefined;
      const block = () => {
        if (blocks++ === 0) from.stream.pause();
      };
      const unblock = () => {
        if (--blocks === 0 && !isDone) from.stream.resume();
      };
      const onToFinished = () => {
        if (isToFinished) return;
        isToFinished = true;
        if (waitingDrain) {
          to.stream.off('drain', waitingDrain);
          waitingDrain();
        }
        if (++finishedWriters === 2) finish();
      };
      from.stream.on('data', (chunk: Buffer) => {
        if (isDone) return;
        if (!meter.passed(from, chunk)) return finish();
        if (isToFinished) return;
        add(chunk.length);
        if (!to.stream.write(chunk)) {
          block();
          const onDrain = () => {
            waitingDrain = undefined;
            unblock();
          };
          waitingDrain = onDrain;
          to.stream.once('drain', onDrain);
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
      to.stream.once('finish', onToFinished);
      if (hasFinishedWriting(to.stream)) onToFinished();
    };
    // One side may have gone between the call's answer and this splice: its 'close' is past.
    if (a.stream.destroyed || b.stream.destroyed) return finish();
    pump(a, b, (n) => (result.aToB += n));
    pump(b, a, (n) => (result.bToA += n));
    if (!isDone) {
      a.stream.resume();
      b.stream.resume();
    }
  });
}
