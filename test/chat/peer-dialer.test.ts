import { describe, expect, it } from 'vitest';
import { PeerDialer } from '../../src/chat/peer-dialer.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('peer dialer', () => {
  it('retries a failing dial with growing delays, and stops when told', async () => {
    const attempts: number[] = [];
    const errors: unknown[] = [];
    const dialer = new PeerDialer<string>(
      async () => {
        attempts.push(Date.now());
        throw new Error('ECONNREFUSED');
      },
      async () => {},
      { minDelayMs: 10, maxDelayMs: 80, onError: (error) => errors.push(error) },
    );
    dialer.start();
    await wait(400);
    dialer.stop();
    const count = attempts.length;
    expect(count).toBeGreaterThanOrEqual(4);
    expect(count).toBeLessThan(15); // backoff: a fixed 10 ms retry would make about 40 attempts
    expect(errors).toHaveLength(count);
    await wait(150);
    expect(attempts.length).toBe(count); // stopped
  });

  it('redials after a link ends', async () => {
    let dials = 0;
    const ran: string[] = [];
    const dialer = new PeerDialer<string>(
      async () => `link-${++dials}`,
      async (link) => {
        ran.push(link);
        await wait(5); // the link lives briefly, then closes
      },
      { minDelayMs: 5, maxDelayMs: 20 },
    );
    dialer.start();
    await wait(150);
    dialer.stop();
    expect(ran.slice(0, 3)).toEqual(['link-1', 'link-2', 'link-3']);
  });
});
