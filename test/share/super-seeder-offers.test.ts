/**
 * How much a super-seeding sharer offers a getter before it has measured the link
 * (super-seeder.ts): at least 1 MiB, counted in bytes, whatever the piece size. Counted in
 * pieces (4), 64 KiB pieces opened a long link 4x slower than 256 KiB ones. The end-to-end
 * effects are in super-seeding.test.ts and link-pipeline.test.ts with real nodes.
 */
import { EventEmitter } from 'node:events';
import type { Torrent } from 'webtorrent';
import { describe, expect, it } from 'vitest';
import { SuperSeeder } from '../../src/share/super-seeder.js';
import { fakeGetterWire } from './fake-getter-wire.js';

/** What each of `getters` getters joining one after another is offered. */
function offersOnJoining(pieceBytes: number, fileBytes: number, getters = 1): number[][] {
  const torrent = Object.assign(new EventEmitter(), { pieces: new Array(fileBytes / pieceBytes).fill({}), pieceLength: pieceBytes, done: true });
  const seeder = new SuperSeeder(torrent as unknown as Torrent);
  const wires = Array.from({ length: getters }, () => fakeGetterWire());
  for (const wire of wires) {
    seeder.attach(wire);
    (wire as unknown as { haveAll(): void }).haveAll(); // webtorrent announcing our pieces
  }
  seeder.stop();
  return wires.map((wire) => wire.offered);
}

describe('super-seeding: what a new getter is offered at first', () => {
  it('a lone getter: 1 MiB of pieces, 16 of 64 KiB, 4 of 256 KiB', () => {
    expect(offersOnJoining(64 * 1024, 16 * 1024 * 1024)[0]).toHaveLength(16);
    expect(offersOnJoining(256 * 1024, 16 * 1024 * 1024)[0]).toHaveLength(4);
  });

  it('getters joining together share the 1 MiB, and each gets at least 4 pieces, none offered twice', () => {
    const offered = offersOnJoining(64 * 1024, 16 * 1024 * 1024, 8);
    // The first alone gets 16; the second 8 (1 MiB / 2); from the fourth on, 4.
    expect(offered.map((pieces) => pieces.length)).toEqual([16, 8, 6, 4, 4, 4, 4, 4]);
    expect(new Set(offered.flat()).size).toBe(offered.flat().length);
  });

  it('at least 4 pieces when pieces are large', () => {
    expect(offersOnJoining(1024 * 1024, 64 * 1024 * 1024)[0]).toHaveLength(4);
  });
});
