/**
 * Initial seeding ("super-seeding", BEP 16), on by default in `swarm share` (off with
 * `--no-super-seed`; off by default in `startShare`): a sharer with
 * many getters otherwise sends popular pieces several times (measured: 1.7 copies of a
 * 32 MiB file to 8 getters) while its capped upload is the swarm's bottleneck.
 *
 * The sharer announces no pieces at first (have-none) and then offers each getter a few
 * pieces at a time (`have`), choosing pieces no peer has announced yet and that were
 * offered least. When a getter announces a piece, offers are refilled. Once every piece
 * has been announced by some peer, the sharer announces everything and seeds normally.
 * Peers without the fast extension (no have-none) are served normally.
 */
import type { Torrent, Wire } from 'webtorrent';
import { replaceHaveAll } from './webtorrent-internals.js';

const OFFERS_PER_PEER = 8;

type OfferingWire = Wire & { haveAll(): void; haveNone(): void; have(index: number): void; hasFast: boolean };

export class SuperSeeder {
  private readonly offered = new Map<OfferingWire, Set<number>>();
  private readonly offerCount: number[];
  private readonly seenCount: number[];
  private unseen: number;
  private isActive = true;

  constructor(private readonly torrent: Torrent) {
    const pieces = torrent.pieces.length;
    this.offerCount = new Array(pieces).fill(0);
    this.seenCount = new Array(pieces).fill(0);
    this.unseen = pieces;
  }

  /** Call from the torrent's 'wire' event, before webtorrent announces our pieces. */
  attach(wire: Wire): void {
    if (!this.isActive) return;
    const w = wire as OfferingWire;
    replaceHaveAll(w, (haveAll) => () => {
      if (!this.isActive) return haveAll();
      w.haveNone();
      this.offered.set(w, new Set());
      this.fill(w);
    });
    w.on('have', (index: number) => this.onHave(w, index));
    w.on('bitfield', () => {
      for (let i = 0; i < this.seenCount.length; i++) if (w.peerPieces.get(i)) this.markSeen(i);
      this.fill(w);
    });
    w.once('close', () => {
      for (const index of this.offered.get(w) ?? []) this.offerCount[index]! -= 1;
      this.offered.delete(w);
    });
  }

  private onHave(wire: OfferingWire, index: number): void {
    this.markSeen(index);
    const offers = this.offered.get(wire);
    if (offers?.delete(index)) this.offerCount[index]! -= 1;
    if (this.isActive && this.unseen === 0) return this.finish();
    this.fill(wire);
  }

  private markSeen(index: number): void {
    if (this.seenCount[index] === 0) this.unseen -= 1;
    this.seenCount[index]! += 1;
  }

  private fill(wire: OfferingWire): void {
    const offers = this.offered.get(wire);
    if (!offers || !this.isActive || wire.destroyed) return;
    while (offers.size < OFFERS_PER_PEER) {
      let best = -1;
      let bestScore = Infinity;
      let ties = 0;
      for (let i = 0; i < this.seenCount.length; i++) {
        if (offers.has(i) || wire.peerPieces.get(i)) continue;
        const score = this.seenCount[i]! * 1000 + this.offerCount[i]!;
        if (score < bestScore) {
          bestScore = score;
          best = i;
          ties = 1;
        } else if (score === bestScore && Math.random() * ++ties < 1) {
          best = i;
        }
      }
      if (best < 0) return;
      offers.add(best);
      this.offerCount[best]! += 1;
      wire.have(best);
    }
  }

  /** Every piece is out in the swarm: announce everything and seed normally. */
  private finish(): void {
    this.isActive = false;
    for (const [wire, offers] of this.offered) {
      if (wire.destroyed) continue;
      for (let i = 0; i < this.seenCount.length; i++) if (!offers.has(i) && !wire.peerPieces.get(i)) wire.have(i);
    }
    this.offered.clear();
  }
}
