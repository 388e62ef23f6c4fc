import { describe, expect, it } from 'vitest';
import { HandshakeBudget } from '../../src/net/handshake-budget.js';
import { TokenBucket } from '../../src/net/token-bucket.js';

const rates = { perAddressPerSecond: 10, perAddressBurst: 5, perNetworkPerSecond: 20, perNetworkBurst: 10, globalPerSecond: 50, globalBurst: 20 };

function settled(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('TokenBucket', () => {
  it('gives the burst at once, then the rate', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.waitMs(0)).toBe(100);
    expect(bucket.take(99)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.isFull(10_000)).toBe(true);
  });
});

describe('HandshakeBudget', () => {
  it('a flood from one address gets its burst, while another address (same /24) is served at once', async () => {
    let nowMs = 0;
    const budget = new HandshakeBudget(rates, () => nowMs);
    const flood = Array.from({ length: 100 }, () => settled(budget.requestTurn('10.0.0.66').granted));
    await tick();
    expect(flood.filter((turn) => turn.done)).toHaveLength(5);
    const other = settled(budget.requestTurn('10.0.0.7').granted);
    await tick();
    expect(other.done).toBe(true);
    // Over the next second the flood gets one second's worth more (10), not more.
    for (let step = 1; step <= 10; step++) {
      nowMs = step * 100;
      budget.requestTurn('10.0.1.1'); // (a request from elsewhere makes the budget look again)
      await tick();
    }
    expect(flood.filter((turn) => turn.done)).toHaveLength(15);
    budget.close();
  });

  it('a cancelled wait gives its place to the next in line', async () => {
    let nowMs = 0;
    const budget = new HandshakeBudget(rates, () => nowMs);
    for (let i = 0; i < 5; i++) budget.requestTurn('10.0.0.66');
    const cancelled = budget.requestTurn('10.0.0.66');
    const next = settled(budget.requestTurn('10.0.0.66').granted);
    cancelled.cancel();
    nowMs = 100;
    budget.requestTurn('10.0.1.1');
    await tick();
    expect(next.done).toBe(true);
    budget.close();
  });

  it('the global bucket caps all addresses together', async () => {
    const nowMs = 0;
    const budget = new HandshakeBudget(rates, () => nowMs);
    const turns = Array.from({ length: 200 }, (_, i) => settled(budget.requestTurn(`10.${i}.0.1`).granted));
    await tick();
    expect(turns.filter((turn) => turn.done)).toHaveLength(20);
    expect(budget.waiting).toBe(180);
    budget.close();
  });
});
