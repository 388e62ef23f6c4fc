// Which holders a getter may ask instead of the magnet's sharer (seeder-last.ts): a policy on
// measured rates, so its inputs are given directly here; the end-to-end effect (the sharer
// sends each piece about once) is in super-seeding.test.ts with real nodes.
import { describe, expect, it } from 'vitest';
import { canServeInstead, MAX_HOLDER_SLOWDOWN } from '../../src/share/seeder-last.js';

const wire = (rate: number, requestsInFlight = 0) => ({ requests: new Array(requestsInFlight).fill({}), downloadSpeed: () => 1e9, measuredDownloadSpeed: () => rate });

describe('seeder-last: holders that may serve instead of the sharer', () => {
  it('a holder as fast as the sharer, or not asked or measured yet, serves instead', () => {
    expect(canServeInstead(wire(300_000, 4), wire(400_000))).toBe(true);
    expect(canServeInstead(wire(0, 0), wire(400_000))).toBe(true);
    expect(canServeInstead(wire(50_000, 2), wire(0))).toBe(true);
  });

  it('a holder we wait on that delivers nothing (stalled) does not', () => {
    expect(canServeInstead(wire(0, 3), wire(400_000))).toBe(false);
    expect(canServeInstead(wire(0, 1), wire(0))).toBe(false);
  });

  it(`a holder over ${MAX_HOLDER_SLOWDOWN}x slower than the sharer does not (uses the measured rate, not the pipelining floor)`, () => {
    expect(canServeInstead(wire(200_000, 8), wire(50_000_000))).toBe(false);
    expect(canServeInstead(wire(50_000_000 / MAX_HOLDER_SLOWDOWN, 8), wire(50_000_000))).toBe(true);
  });
});
