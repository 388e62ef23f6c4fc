/**
 * Initial seeding ("super-seeding", BEP 16), on by default in `swarm share` (off with
 * `--no-super-seed`; off by default in `startShare`): a sharer with
 * many getters otherwise sends popular pieces several times (measured: 1.7 copies of a
 * 32 MiB file to 8 getters) while its capped upload is the swarm's bottleneck.
 *
 * The sharer announces no pieces at first (have-none) and then offers each getter a few
 * pieces at a time (`have`), choosing pieces no peer has announced yet and that are offered
 * to no other peer: each piece leaves the sharer once, and getters trade what they got.
 * A piece is offered a second time only when every offer of it went unrequested for
 * STALE_OFFER_MS while that getter asked us for nothing at all (a stalled or choked getter
 * must not hold it back). Counting from the offer alone (before) re-offered pieces a getter
 * was still working towards: a capped sharer shared by 8 getters sends each ~300 KB/s, and
 * 8 offers of 256 KiB took it ~7 s to drain, so its last offers went "stale" and were fetched
 * a second time by another getter (25 of 64 pieces in an N = 8 capped run, under load). Pieces a peer already
 * announced are never offered: whoever has them serves them. Offering the least-offered
 * pieces instead (before) offered every piece to two getters as soon as the offers covered
 * the file (8 getters x 8 offers = 64 pieces of 16 MiB), and the capped sharer sent 1.5
 * copies. When a getter announces a piece, offers are refilled. No getter is offered more
 * than its share of the pieces nobody has yet, and at the end a getter that has asked for all
 * of its offers is offered, too, what another has left unasked for 1.5 s (shareUnrequested):
 * otherwise the last pieces could all sit with one slow getter. Once every piece has been
 * announced by some peer, the sharer announces everything and seeds normally (only the
 * tail is left, and its upload would otherwise go unused). Peers without the fast
 * extension (no have-none) are served normally.
 *
 * "A few" is sized to the link, like the request pipeline (link-pipeline.ts): a getter can
 * only ask for offered pieces, and a piece stays offered until its `have` comes back, so
 * the offers bound what is in flight. Fixed at 8 pieces, one getter over an 80 ms round trip
 * had at most 8 x 16 blocks in flight and got ~5 MB/s. So each peer is offered at least
 * MIN_OFFERED_BYTES (and OFFERS_PER_PEER pieces), and up to OFFER_GAIN x (what we upload to it
 * per second) x (its round trip) in pieces; the round trip is the shortest time from an offer
 * to the first request for it. The least is counted in bytes and shared by the getters: with
 * 64 KiB pieces, 4 offers opened a lone getter's long link 4x slower than with 256 KiB ones
 * (64 MiB at 20 ms: 18 MB/s against 29), while 8 capped getters need only 1 MiB among them.
 * On a capped upload shared by many getters it stays at the least; fewer offers per
 * getter keep the sharer's pieces spread by who is actually fast, not fixed up front (8 x 8
 * offers covered the whole 64-piece file at the first request).
 */
import type { Torrent, Wire } from 'webtorrent';
import { DeliveryRate } from './link-pipeline.js';
import { replaceHaveAll } from './webtorrent-internals.js';

const OFFERS_PER_PEER = 4;
/** Offered at least, among all the getters: what a link needs in flight to open up. */
const MIN_OFFERED_BYTES = 1024 * 1024;
/** At most this much offered to one peer (64 MiB: 256 pieces of 256 KiB), in bytes like the least. */
const MAX_OFFERED_BYTES = 64 * 1024 * 1024;
/**
 * An offered piece turns into data after about two round trips (our `have` out, the request
 * back, the blocks out) and leaves the offers half a round trip later (its `have` back): the
 * offers must cover ~2.5 round trips of data, and more for the rate to be able to grow.
 */
const OFFER_GAIN = 4;
/** An offer not asked for within this long may be made to another peer too. */
const STALE_OFFER_MS = 4_000;
/** An offer not asked for within this long may also go to a getter that has asked for all of its own (shareUnrequested). */
const SHARE_UNREQUESTED_MS = 1_500;

type OfferingWire = Wire & { haveAll(): void; haveNone(): void; have(index: number): void; hasFast: boolean };

export class SuperSeeder {
  private readonly offered = new Map<OfferingWire, Set<number>>();
  /** When each offer not yet asked for was made (ms), and each peer's shortest offer-to-request time. */
  private readonly offeredAtMs = new Map<OfferingWire, Map<number, number>>();
  private readonly rttMs = new Map<OfferingWire, number>();
  /** When each peer last asked us for a block: a peer still asking is working through its offers. */
  private readonly lastRequestMs = new Map<OfferingWire, number>();
  private readonly uploadRate = new Map<OfferingWire, DeliveryRate>();
  private readonly offerCount: number[];
  private readonly seenCount: number[];
  private unseen: number;
  private isActive = true;
  /** Refills every peer now and then: stale offers free pieces even when no `have` comes. */
  private readonly refillTimer: NodeJS.Timeout;

  constructor(private readonly torrent: Torrent) {
    const pieces = torrent.pieces.length;
    this.offerCount = new Array(pieces).fill(0);
    this.seenCount = new Array(pieces).fill(0);
    this.unseen = pieces;
    this.refillTimer = setInterval(() => {
      for (const wire of this.offered.keys()) this.fill(wire);
    }, STALE_OFFER_MS);
    this.refillTimer.unref();
  }

  stop(): void {
    clearInterval(this.refillTimer);
  }

  /** Call from the torrent's 'wire' event, before webtorrent announces our pieces. */
  attach(wire: Wire): void {
    if (!this.isActive) return;
    const w = wire as OfferingWire;
    replaceHaveAll(w, (haveAll) => () => {
      if (!this.isActive) return haveAll();
      w.haveNone();
      this.offered.set(w, new Set());
      this.offeredAtMs.set(w, new Map());
      this.fill(w);
    });
    w.on('request', (index: number) => this.onRequest(w, index));
    const rate = new DeliveryRate();
    this.uploadRate.set(w, rate);
    w.on('upload', (bytes: number) => rate.add(bytes, this.rttMs.get(w)));
    w.on('have', (index: number) => this.onHave(w, index));
    w.on('bitfield', () => {
      for (let i = 0; i < this.seenCount.length; i++) if (w.peerPieces.get(i)) this.markSeen(i);
      this.fill(w);
    });
    w.once('close', () => {
      for (const index of this.offered.get(w) ?? []) this.offerCount[index]! -= 1;
      this.offered.delete(w);
      this.offeredAtMs.delete(w);
      this.rttMs.delete(w);
      this.lastRequestMs.delete(w);
      this.uploadRate.delete(w);
    });
  }

  private onHave(wire: OfferingWire, index: number): void {
    this.markSeen(index);
    const offers = this.offered.get(wire);
    if (offers?.delete(index)) this.offerCount[index]! -= 1;
    if (this.isActive && this.unseen === 0) return this.finish();
    // A piece shared out (shareUnrequested) and now announced by one getter is no longer the
    // others' to fetch from us: whoever has it serves it, so their slot is free again.
    const freed: OfferingWire[] = [];
    if (this.offerCount[index]! > 0) {
      for (const [other, otherOffers] of this.offered) {
        const unrequested = this.offeredAtMs.get(other);
        if (other === wire || !otherOffers.has(index) || !unrequested?.has(index)) continue;
        otherOffers.delete(index);
        unrequested.delete(index);
        this.offerCount[index]! -= 1;
        freed.push(other);
      }
    }
    this.fill(wire);
    for (const other of freed) this.fill(other);
  }

  private markSeen(index: number): void {
    if (this.seenCount[index] === 0) this.unseen -= 1;
    this.seenCount[index]! += 1;
  }

  private onRequest(wire: OfferingWire, index: number): void {
    this.lastRequestMs.set(wire, performance.now());
    const offeredAtMs = this.offeredAtMs.get(wire);
    const atMs = offeredAtMs?.get(index);
    if (atMs === undefined) return;
    offeredAtMs!.delete(index);
    const sampleMs = performance.now() - atMs;
    this.rttMs.set(wire, Math.min(this.rttMs.get(wire) ?? Infinity, sampleMs));
  }

  /** Pieces to keep offered to `wire`: enough to cover its bandwidth-delay product. */
  private offersWanted(wire: OfferingWire): number {
    const getters = Math.max(1, this.offered.size);
    const least = Math.max(OFFERS_PER_PEER, Math.ceil(MIN_OFFERED_BYTES / getters / this.torrent.pieceLength));
    const rttMs = this.rttMs.get(wire);
    if (rttMs === undefined) return least;
    const rate = this.uploadRate.get(wire)?.bytesPerSecond() ?? 0;
    const pieces = Math.ceil((OFFER_GAIN * rate * rttMs) / 1000 / this.torrent.pieceLength);
    // No getter is offered more than its share of the pieces nobody has yet: offers cannot be
    // taken back, and one getter holding most of the last ones (a long round trip measured
    // under load made it ask for 36) left 7 capped getters idle for the last 3.5 s.
    const fairShare = Math.ceil(this.unseen / getters);
    const most = Math.max(least, Math.min(fairShare, Math.ceil(MAX_OFFERED_BYTES / this.torrent.pieceLength)));
    return Math.min(Math.max(pieces, least), most);
  }

  private fill(wire: OfferingWire): void {
    const offers = this.offered.get(wire);
    if (!offers || !this.isActive || wire.destroyed) return;
    const wanted = this.offersWanted(wire);
    if (offers.size >= wanted) return;
    const isHeld = this.heldOffers();
    while (offers.size < wanted) {
      let best = -1;
      let bestScore = Infinity;
      let ties = 0;
      for (let i = 0; i < this.seenCount.length; i++) {
        if (this.seenCount[i]! > 0 || isHeld[i] || offers.has(i) || wire.peerPieces.get(i)) continue;
        const score = this.offerCount[i]!;
        if (score < bestScore) {
          bestScore = score;
          best = i;
          ties = 1;
        } else if (score === bestScore && Math.random() * ++ties < 1) {
          best = i;
        }
      }
      if (best < 0) return this.shareUnrequested(wire, offers, wanted);
      offers.add(best);
      isHeld[best] = true;
      this.offeredAtMs.get(wire)?.set(best, performance.now());
      this.offerCount[best]! += 1;
      wire.have(best);
    }
  }

  /**
   * Every piece nobody has is offered already, and `wire` has fewer offers than it wants: it
   * is offered, too, pieces another getter holds more of and has not asked for yet, taken
   * from the getter with the most of those. At the end of initial seeding the last pieces
   * may all be offered to one getter that fetches them slowly while the others, and the
   * sharer's upload, sit idle. A piece both then ask for is sent twice; once one announces
   * it, the other's offer is dropped (onHave), and it fetches it from that getter.
   */
  private shareUnrequested(wire: OfferingWire, offers: Set<number>, wanted: number): void {
    // Only for a getter that has asked for everything we offered it (it is idle as far as we
    // are concerned), and only pieces left unasked for a while: a getter works through its
    // offers a few at a time, and sharing what it is about to ask for would send it twice.
    if ((this.offeredAtMs.get(wire)?.size ?? 0) > 0) return;
    const oldestMs = performance.now() - SHARE_UNREQUESTED_MS;
    while (offers.size < wanted) {
      let donorPieces: number[] = [];
      for (const [other, unrequested] of this.offeredAtMs) {
        if (other === wire || other.destroyed) continue;
        const pieces = [...unrequested].filter(([index, atMs]) => atMs <= oldestMs && this.offerCount[index] === 1 && !offers.has(index) && !wire.peerPieces.get(index)).map(([index]) => index);
        if (pieces.length > donorPieces.length) donorPieces = pieces;
      }
      // Only from a getter left with more unasked offers than this one will have.
      if (donorPieces.length <= offers.size + 1) return;
      // Its most recent offer: the one it would have got to last.
      const index = donorPieces[donorPieces.length - 1]!;
      offers.add(index);
      this.offeredAtMs.get(wire)?.set(index, performance.now());
      this.offerCount[index]! += 1;
      wire.have(index);
    }
  }

  /** Pieces offered to some peer that asked for them, or that was offered them or asked for anything lately. */
  private heldOffers(): boolean[] {
    const isHeld = new Array<boolean>(this.seenCount.length).fill(false);
    const nowMs = performance.now();
    for (const [wire, offers] of this.offered) {
      const unrequested = this.offeredAtMs.get(wire);
      const askedMs = this.lastRequestMs.get(wire) ?? 0;
      for (const index of offers) {
        const atMs = unrequested?.get(index);
        if (atMs === undefined || nowMs - Math.max(atMs, askedMs) < STALE_OFFER_MS) isHeld[index] = true;
      }
    }
    return isHeld;
  }

  /** Every piece is out in the swarm: announce everything and seed normally. */
  private finish(): void {
    this.isActive = false;
    this.stop();
    this.torrent.emit('super-seeding-done');
    for (const [wire, offers] of this.offered) {
      if (wire.destroyed) continue;
      // Also the pieces it has: from then on the getter sees a peer that has every piece.
      for (let i = 0; i < this.seenCount.length; i++) if (!offers.has(i)) wire.have(i);
    }
    this.offered.clear();
  }
}
