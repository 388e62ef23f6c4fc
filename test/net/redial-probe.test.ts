// Redial's probing under fake timers (clock and jitter fixed): while a dial waits out a long
// backoff after a network failure, a cheap probe every probeEveryMs ends the wait as soon as
// the peer answers, and the backoff starts over; a failure the owner says not to probe for
// (a refusal) waits the whole backoff; probes never outlive stop().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exponentialBackoff, Redial } from '../../src/net/redial.js';

describe('redial probes an unreachable peer between dials', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // jitter factor 1
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  function world(options: { isNetworkFailure: boolean }) {
    let isUp = false;
    const dials: number[] = [];
    const probes: number[] = [];
    const redial = new Redial<string>({
      dial: async () => {
        dials.push(Date.now());
        if (!isUp) throw new Error(options.isNetworkFailure ? 'ECONNREFUSED' : 'refused: starting');
        return 'link';
      },
      run: () => new Promise<void | false>(() => {}), // the link stays up
      backoff: exponentialBackoff({ minDelayMs: 500, maxDelayMs: 12_000, healthyAfterMs: 5000 }),
      probe: async () => {
        probes.push(Date.now());
        return isUp;
      },
      probeEveryMs: 1000,
      shouldProbe: () => options.isNetworkFailure,
    });
    return { redial, dials, probes, comeBack: () => (isUp = true) };
  }

  it('after a long outage the peer is redialed within one probe interval of coming back, not at the end of a 12 s backoff', async () => {
    const { redial, dials, probes, comeBack } = world({ isNetworkFailure: true });
    redial.start();
    await vi.advanceTimersByTimeAsync(60_000); // backoff grown to its 12 s cap
    const gapsMs = dials.slice(1).map((t, i) => t - dials[i]!);
    expect(gapsMs.at(-1)).toBe(12_000);
    expect(probes.length).toBeGreaterThan(40); // about one a second in between
    const dialsBefore = dials.length;
    const backAt = Date.now() + 300;
    await vi.advanceTimersByTimeAsync(300);
    comeBack();
    await vi.advanceTimersByTimeAsync(1000);
    expect(dials.length).toBe(dialsBefore + 1);
    expect(dials.at(-1)! - backAt).toBeLessThanOrEqual(1000);
    redial.stop();
    const probesAtStop = probes.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probes.length).toBe(probesAtStop);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failure not worth probing for (a refusal that passes) waits its whole backoff, without probes', async () => {
    const { redial, dials, probes } = world({ isNetworkFailure: false });
    redial.start();
    await vi.advanceTimersByTimeAsync(8000);
    expect(dials.slice(1).map((t, i) => t - dials[i]!)).toEqual([500, 1000, 2000, 4000]);
    expect(probes).toHaveLength(0);
    redial.stop();
  });
});
