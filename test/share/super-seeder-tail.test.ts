/**
 * The end of initial seeding (super-seeder.ts), with getters' wires driven by hand: no getter
 * is offered more than its share of the pieces nobody has yet, and a getter that has asked
 * for all of its offers is offered pieces another getter has left unasked for 1.5 s. Measured
 * with 8 capped getters, one getter holding the last 20 pieces fetched them alone for 3.5 s
 * while the others and the sharer's upload sat idle. End to end: super-seeding.test.ts.
 */
import { EventEmitter } from 'node:events';
import type { Torrent } from 'webtorrent';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SuperSeeder } from '../../src/share/super-seeder.js';
import { fakeGetterWire, type FakeGetterWire as TestWire } from './fake-getter-wire.js';

const PIECE = 64 * 1024;
const PIECES = 64;

/** A sharer of PIECES pieces and `count` getters that joined one after another. */
function swarm(count: number) {
  const torrent = Object.assign(new EventEmitter(), { pieces: new Array(PIECES).fill({}), pieceLength: PIECE, done: true });
  const seeder = new SuperSeeder(torrent as unknown as Torrent);
  const wires = Array.from({ length: count }, () => fakeGetterWire());
  for (const wire of wires) {
    seeder.attach(wire);
    (wire as unknown as { haveAll(): void }).haveAll();
  }
  return { seeder, wires };
}

/** A getter asks for and then announces every piece it was offered, until it is offered no more. */
function fetchEverythingOffered(wire: TestWire): void {
  for (let done = 0; done < wire.offered.length; done++) {
    wire.emit('request', wire.offered[done]);
    wire.emit('have', wire.offered[done]);
  }
}

describe('super-seeding: the last pieces', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a getter on a long measured round trip is offered no more than its share of the pieces nobody has', () => {
    const { seeder, wires } = swarm(8);
    const first = wires[0]!;
    expect(first.offered).toHaveLength(16);
    // 2 s from offer to request and 1 MiB sent in those 2 s: 4 x 512 KB/s x 2 s asks for 64 pieces.
    vi.advanceTimersByTime(2000);
    first.emit('request', first.offered[0]);
    first.emit('upload', 1024 * 1024);
    first.emit('have', first.offered[0]);
    // 63 pieces nobody has among 8 getters: 8 each. It holds 15 offers: it gets none.
    expect(first.offered).toHaveLength(16);
    seeder.stop();
  });

  it('a getter that asked for all its offers is given pieces another left unasked for 1.5 s, not sooner', () => {
    const { seeder, wires } = swarm(8);
    const [slow, ...fast] = wires as [TestWire, ...TestWire[]];
    // The slow getter keeps asking (so its offers stay its own) but never for what it was offered.
    const slowOffers = [...slow.offered];
    for (let round = 0; round < 10; round++) for (const wire of fast) fetchEverythingOffered(wire);
    const everyOffered = new Set(wires.flatMap((wire) => wire.offered));
    expect(everyOffered.size).toBe(PIECES);
    const taker = fast[0]!;
    const before = taker.offered.length;
    vi.advanceTimersByTime(1000);
    taker.emit('have', taker.offered[0]);
    expect(taker.offered.length).toBe(before);
    vi.advanceTimersByTime(600);
    taker.emit('have', taker.offered[0]);
    const shared = taker.offered.slice(before);
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.length).toBeLessThanOrEqual(4);
    for (const index of shared) expect(slowOffers).toContain(index);
    // Once the taker has one, the slow getter's claim on it is dropped: another idle getter
    // is offered others of the slow getter's, never that one.
    taker.emit('request', shared[0]);
    taker.emit('have', shared[0]);
    const other = fast[1]!;
    const otherBefore = other.offered.length;
    other.emit('have', other.offered[0]);
    const sharedToOther = other.offered.slice(otherBefore);
    expect(sharedToOther).not.toContain(shared[0]);
    for (const index of sharedToOther) expect(slowOffers).toContain(index);
    seeder.stop();
  });
});
