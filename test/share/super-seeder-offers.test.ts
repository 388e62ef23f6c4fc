/**
 * How much a super-seeding sharer offers a getter before it has measured the link
 * (super-seeder.ts): at least 1 MiB, counted in bytes, whatever the piece size. Counted in
 * pieces (4), 64 KiB pieces opened a long link 4x slower than 256 KiB ones. The end-to-end
 * effects are in super-seeding.test.ts and link-pipeline.test.ts with real nodes.
 */
import { EventEmitter } from 'node:events';
import type { Torrent, Wire } from 'webtorrent';
import { describe, expect, it } from 'vitest';
import { SuperSeeder } from '../../src/share/super-seeder.js';

/** A fresh getter's wire as webtorrent hands it over: it asks for our pieces with haveAll(). */
function getterWire(): Wire & { offered: number[] } {
  const wire = Object.assign(new EventEmitter(), {
    offered: [] as number[],
    destroyed: false,
    hasFast: true,
    peerPieces: { get: () => false },
    haveAll() {},
    haveNone() {},
    have(index: number) {
      wire.offered.push(index);
    },
  });
  return wire as unknown as Wire & { offered: number[] };
}

function offersOnJoining(pieceBytes: number, fileBytes: number): number[] {
  const torrent = Object.assign(new EventEmitter(), { pieces: new Array(fileBytes / pieceBytes).fill({}), pieceLength: pieceBytes, done: true });
  const seeder = new SuperSeeder(torrent as unknown as Torrent);
  const wire = getterWire();
  seeder.attach(wire);
  (wire as unknown as { haveAll(): void }).haveAll(); // webtorrent announcing our pieces
  seeder.stop();
  return wire.offered;
}

describe('super-seeding: what a new getter is offered at first', () => {
  it('1 MiB of pieces: 16 of 64 KiB, 4 of 256 KiB', () => {
    expect(offersOnJoining(64 * 1024, 16 * 1024 * 1024)).toHaveLength(16);
    expect(offersOnJoining(256 * 1024, 16 * 1024 * 1024)).toHaveLength(4);
  });

  it('at least 4 pieces when pieces are large, each piece once', () => {
    const offered = offersOnJoining(1024 * 1024, 64 * 1024 * 1024);
    expect(offered).toHaveLength(4);
    expect(new Set(offered).size).toBe(4);
  });
});
