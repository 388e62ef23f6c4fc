// Redial's timing under fake timers (clock and Math.random fixed), so the delays are
// asserted exactly and nothing depends on how busy the machine is; then one redial over
// real SwarmNodes on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { exponentialBackoff, Redial, steppedBackoff } from '../../src/net/redial.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

/** Differences between successive times. */
const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!);

describe('redial with exponential backoff (chat --peer)', () => {
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
    const dialer = new Redial<string>({
      dial: async () => {
        attempts.push(Date.now());
        throw new Error('ECONNREFUSED');
      },
      run: async () => {},
      backoff: exponentialBackoff({ ...options, healthyAfterMs: 5000 }),
      onError: (error) => errors.push(error),
    });
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
    const dialer = new Redial<string>({
      dial: async () => `link-${dials.push(Date.now())}`,
      run: async (link) => {
        ran.push(link);
        await new Promise((resolve) => setTimeout(resolve, lifetimesMs[ran.length - 1] ?? 5));
      },
      backoff: exponentialBackoff({ minDelayMs: 10, maxDelayMs: 1000, healthyAfterMs: 1000 }),
    });
    dialer.start();
    await vi.advanceTimersByTimeAsync(1200);
    dialer.stop();
    expect(ran.slice(0, 5)).toEqual(['link-1', 'link-2', 'link-3', 'link-4', 'link-5']);
    // Short links back off (lifetime + 10, 20, 40); the 1000 ms one resets it to 10 again.
    expect(gaps(dials).slice(0, 4)).toEqual([5 + 10, 5 + 20, 5 + 40, 1000 + 10]);
  });
});

describe('redial with stepped backoff and a give-up policy (share addresses)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits delaysMs[n] after n failures in a row and gives up after maxFailures', async () => {
    const attempts: number[] = [];
    const gaveUp: unknown[] = [];
    const redial = new Redial<string>({
      dial: async () => {
        attempts.push(Date.now());
        throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      },
      run: async () => {},
      backoff: steppedBackoff([500, 1000, 2000, 4000]),
      isPermanent: () => false,
      maxFailures: 5,
      onGiveUp: (error) => gaveUp.push(error),
    });
    redial.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gaps(attempts)).toEqual([1000, 2000, 4000, 4000]);
    expect(gaveUp).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives up at once on a permanent error, without waiting', async () => {
    let dials = 0;
    const gaveUp: unknown[] = [];
    const redial = new Redial<string>({
      dial: async () => {
        dials++;
        throw Object.assign(new Error('untrusted'), { code: 'UNTRUSTED_PEER' });
      },
      run: async () => {},
      backoff: steppedBackoff([500]),
      isPermanent: (error) => (error as { code?: string }).code === 'UNTRUSTED_PEER',
      onGiveUp: (error) => gaveUp.push(error),
    });
    redial.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dials).toBe(1);
    expect(gaveUp).toEqual([expect.objectContaining({ code: 'UNTRUSTED_PEER' })]);
  });

  it('redials delaysMs[0] after a link ends, and stops quietly once the peer is no longer wanted', async () => {
    const dials: number[] = [];
    let isWanted = true;
    const redial = new Redial<string>({
      dial: async () => `link-${dials.push(Date.now())}`,
      run: () => new Promise<void>((resolve) => setTimeout(resolve, 100)),
      backoff: steppedBackoff([500, 1000]),
      isWanted: () => isWanted,
    });
    redial.start();
    await vi.advanceTimersByTimeAsync(1250);
    expect(gaps(dials)).toEqual([600, 600]);
    isWanted = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dials).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('redial over SwarmNodes', () => {
  it('opens a new link after the peer closes the one it had', async () => {
    const [a, b] = await createNodes(2);
    const inbound: PeerLink[] = [];
    a!.node.handle('chat', (link) => void inbound.push(link));
    const outbound: PeerLink[] = [];
    const redial = new Redial<PeerLink>({
      dial: () => b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey }),
      run: (link) => {
        outbound.push(link);
        return new Promise((resolve) => link.stream.once('close', () => resolve()));
      },
      backoff: exponentialBackoff({ minDelayMs: 20, maxDelayMs: 100, healthyAfterMs: 5000 }),
    });
    redial.start();
    await waitFor(() => inbound.length === 1 && outbound.length === 1);
    inbound[0]!.close();
    await waitFor(() => inbound.length === 2 && outbound.length === 2);
    redial.stop();
    expect(outbound[0]!.stream.destroyed).toBe(true);
    expect(outbound[1]!.stream.destroyed).toBe(false);
  });
});
