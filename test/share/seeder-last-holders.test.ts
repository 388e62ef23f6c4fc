// Which holders a getter may ask instead of the magnet's sharer (seeder-last.ts): a policy on
// measured rates, so its inputs are given directly here; the end-to-end effect (the sharer
// sends each piece about once) is in super-seeding.test.ts with real nodes.
import { EventEmitter } from 'node:events';
import type { Torrent, Wire } from 'webtorrent';
import { describe, expect, it } from 'vitest';
import { canServeInstead, hasSharedEverything, markSharer, MAX_HOLDER_SLOWDOWN, useSeederLast } from '../../src/share/seeder-last.js';

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

describe('a super-seeding sharer that has shared everything (end game may use it; the picker still leaves it last)', () => {
  /** A getter's torrent of 4 pieces with the sharer's wire and another peer that has every piece. */
  function tail() {
    const sharer = Object.assign(new EventEmitter(), { peerChoking: false, destroyed: false, peerPieces: { get: () => true }, requests: [], downloadSpeed: () => 0, measuredDownloadSpeed: () => 0 });
    const holder = { ...wire(0, 0), peerChoking: false, destroyed: false, peerPieces: { get: () => true } };
    const asked: unknown[] = [];
    const torrent = { pieces: new Array(4).fill({}), wires: [sharer, holder], _request: (w: unknown) => asked.push(w) > 0 };
    markSharer(sharer as unknown as Wire);
    useSeederLast(torrent as unknown as Torrent);
    const request = (w: unknown, index: number) => (torrent._request as (w: unknown, i: number, h: boolean) => boolean)(w, index, false);
    return { sharer, holder, torrent, request, asked };
  }

  it('while it announces pieces one by one, what another peer has is not asked of it', () => {
    const { sharer, torrent, request, asked } = tail();
    for (const index of [0, 1, 2]) sharer.emit('have', index);
    expect(hasSharedEverything(torrent as unknown as Torrent, sharer as unknown as Wire)).toBe(false);
    expect(request(sharer, 3)).toBe(false);
    expect(asked).toEqual([]);
  });

  it('once it has announced every piece one by one it has shared everything; the picker still asks another peer first', () => {
    const { sharer, torrent, request, asked } = tail();
    for (const index of [0, 1, 2, 3]) sharer.emit('have', index);
    expect(hasSharedEverything(torrent as unknown as Torrent, sharer as unknown as Wire)).toBe(true);
    expect(request(sharer, 3)).toBe(false);
    expect(asked).toEqual([]);
  });

  it('a sharer that announced everything at once (have-all, not super-seeding) stays last', () => {
    const { sharer, torrent, request } = tail();
    sharer.emit('have-all');
    expect(hasSharedEverything(torrent as unknown as Torrent, sharer as unknown as Wire)).toBe(false);
    expect(request(sharer, 3)).toBe(false);
  });
});
