/**
 * Upload slots: tit-for-tat by what peers give us, one rotating optimistic slot, real
 * seeders and uninterested peers choked, and no "false seeder" (a peer whose bitfield
 * has not arrived is a leecher, not a seeder: webtorrent 2.8.5 gets this wrong).
 * Wires here are plain objects with the fields the choker reads.
 */
import { describe, expect, it } from 'vitest';
import type { Torrent, Wire } from 'webtorrent';
import { FairChoker, isRealSeeder, REGULAR_SLOTS } from '../../src/share/fair-choker.js';

const PIECES = 8;

function fakeWire(name: string, opts: { speed?: number; interested?: boolean; pieces?: number }): Wire & { name: string } {
  const have = opts.pieces ?? 0;
  return {
    name,
    peerPieces: { get: (i: number) => i < have },
    peerInterested: opts.interested ?? true,
    amChoking: true,
    downloadSpeed: () => opts.speed ?? 0,
    uploadSpeed: () => 0,
    choke(this: { amChoking: boolean }) { this.amChoking = true; },
    unchoke(this: { amChoking: boolean }) { this.amChoking = false; },
  } as unknown as Wire & { name: string };
}

function fakeTorrent(wires: Wire[]): Torrent {
  return { ready: true, destroyed: false, done: false, pieces: new Array(PIECES).fill({}), wires, _rechoke() {} } as unknown as Torrent;
}

describe('FairChoker', () => {
  it('unchokes the best uploaders to us plus one optimistic peer, and chokes the rest', () => {
    const wires = Array.from({ length: 12 }, (_, i) => fakeWire(`w${i}`, { speed: (i + 1) * 1000, pieces: 2 }));
    const choker = new FairChoker(fakeTorrent(wires));
    choker.rechoke();
    choker.stop();
    const unchoked = wires.filter((w) => !w.amChoking).map((w) => w.name);
    expect(unchoked).toHaveLength(REGULAR_SLOTS + 1);
    // the 8 fastest are all in; the extra one is a random slower peer
    for (let i = 4; i < 12; i++) expect(unchoked).toContain(`w${i}`);
  });

  it('chokes real seeders and uninterested peers, never a peer whose bitfield is still empty', () => {
    const seeder = fakeWire('seeder', { pieces: PIECES });
    const bored = fakeWire('bored', { interested: false, pieces: 3 });
    const fresh = fakeWire('fresh', { pieces: 0 });
    expect(isRealSeeder(fresh, PIECES)).toBe(false);
    expect(isRealSeeder(seeder, PIECES)).toBe(true);
    const choker = new FairChoker(fakeTorrent([seeder, bored, fresh]));
    choker.rechoke();
    choker.stop();
    expect(seeder.amChoking).toBe(true);
    expect(bored.amChoking).toBe(true);
    expect(fresh.amChoking).toBe(false);
    expect(fresh.isSeeder).toBe(false);
  });

  it('rotates the optimistic slot among choked peers', () => {
    const wires = Array.from({ length: 14 }, (_, i) => fakeWire(`w${i}`, { speed: i < 8 ? 1e6 : 0, pieces: 1 }));
    const choker = new FairChoker(fakeTorrent(wires));
    const optimistic = new Set<string>();
    for (let round = 0; round < 40; round++) {
      choker.rechoke();
      for (const w of wires.slice(8)) if (!w.amChoking) optimistic.add(w.name);
    }
    choker.stop();
    expect(optimistic.size).toBeGreaterThan(1);
  });
});
