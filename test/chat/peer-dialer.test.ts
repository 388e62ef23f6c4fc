// PeerDialer's timing under fake timers (clock and Math.random fixed), so the delays are
// asserted exactly and nothing depends on how busy the machine is.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerDialer } from '../../src/chat/peer-dialer.js';

/** Differences between successive times. */
const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!);

describe('peer dialer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  function failingDialer(options: { minDelayMs: number; maxDelayMs: number }) {
    const attempts: number[] = [];
    const errors: unknown[] = [];
    const dialer = new PeerDialer<string>(
      async () => {
        attempts.push(Date.now());
        throw new Error('ECONNREFUSED');
      },
      async () => {},
      { ...options, onError: (error) => errors.push(error) },
    );
    return { dialer, attempts, errors };
  }

  it('retries a failing dial with doubling delays up to the cap, and stops when told', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // jitter factor 0.75 + 0.5 * 0.5 = 1
    const { dialer, attempts, errors } = failingDialer({ minDelayMs: 10, maxDelayMs: 80 });
    dialer.start();
    await vi.advanceTimersByTimeAsync(400);
    expect(gaps(attempts)).toEqual([10, 20, 40, 80, 80, 80, 80]);
    expect(errors).toHaveLength(attempts.length);
    dialer.stop();
    const count = attempts.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toHaveLength(count); // stopped: no dial after stop()
    expect(vi.getTimerCount()).toBe(0); // and no timer left behind
  });

  it('spreads each delay by jitter within 0.75..1.25 of the backoff', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0); // the shortest jitter
    const { dialer, attempts } = failingDialer({ minDelayMs: 100, maxDelayMs: 400 });
    dialer.start();
    await vi.advanceTimersByTimeAsync(1000);
    dialer.stop();
    expect(gaps(attempts).slice(0, 4)).toEqual([75, 150, 300, 300]);
  });

  it('redials after a link ends, and a link that lived long enough resets the backoff', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const dials: number[] = [];
    const ran: string[] = [];
    const lifetimesMs = [5, 5, 5, 1000, 5];
    const dialer = new PeerDialer<string>(
      async () => `link-${dials.push(Date.now())}`,
      async (link) => {
        ran.push(link);
        await new Promise((resolve) => setTimeout(resolve, lifetimesMs[ran.length - 1] ?? 5));
      },
      { minDelayMs: 10, maxDelayMs: 1000, healthyAfterMs: 1000 },
    );
    dialer.start();
    await vi.advanceTimersByTimeAsync(1200);
    dialer.stop();
    expect(ran.slice(0, 5)).toEqual(['link-1', 'link-2', 'link-3', 'link-4', 'link-5']);
    // Short links back off (lifetime + 10, 20, 40); the 1000 ms one resets it to 10 again.
    expect(gaps(dials).slice(0, 4)).toEqual([5 + 10, 5 + 20, 5 + 40, 1000 + 10]);
  });
});
