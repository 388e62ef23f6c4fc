/**
 * Tit-for-tat upload slots, replacing webtorrent 2.8.5's `_rechoke`, which stalls swarms:
 * when a wire's bitfield has not arrived yet, webtorrent's `updateSeedStatus` marks the
 * peer a *seeder* (an empty peerPieces skips the check) and chokes it, and nothing ever
 * sets `isSeeder` back to false for a peer that later sends a bitfield or `have`s. Its
 * rechoke then skips "seeders" when unchoking and chokes them: after the first rechoke
 * (10 s) such leechers stay choked for good. That is the stall seen in the prototype
 * (4 leechers, `rarest`, stuck at 73%); `sequential` only hid it by finishing sooner.
 *
 * Here: every RECHOKE_INTERVAL_MS, interested peers that are not really seeders (their
 * bitfield counted against ours) are ranked by what they upload to us (while we
 * download) or by what we manage to upload to them (when we seed); the best
 * REGULAR_SLOTS are unchoked, plus one optimistic slot that rotates every
 * OPTIMISTIC_ROUNDS rounds to a random choked interested peer, so newcomers get a
 * first piece and better partners are discovered. Everyone else is choked.
 *
 * A peer that turns interested while a slot is free is unchoked at once, not at the next
 * round: webtorrent unchokes only on a peer's first `interested`, and a rechoke chokes peers
 * that are not interested at that moment. Getters trading a file become uninterested in a
 * peer whenever they hold all it has, and interested again at its next `have`; each time
 * they waited up to RECHOKE_INTERVAL_MS with that peer's uplink idle.
 */
import type { Torrent, Wire } from 'webtorrent';
import { measuredSpeedOf } from './link-pipeline.js';
import { disableBuiltInChoker } from './webtorrent-internals.js';

const RECHOKE_INTERVAL_MS = 5_000;
const OPTIMISTIC_ROUNDS = 3;
export const REGULAR_SLOTS = 8;

export function isRealSeeder(wire: Wire, pieceCount: number): boolean {
  if (pieceCount === 0) return false;
  for (let i = 0; i < pieceCount; i++) if (!wire.peerPieces.get(i)) return false;
  return true;
}

export class FairChoker {
  private optimistic: Wire | undefined;
  private roundsLeft = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly torrent: Torrent, private readonly slots = REGULAR_SLOTS) {
    disableBuiltInChoker(torrent);
    this.timer = setInterval(() => this.rechoke(), RECHOKE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Chokes and unchokes; returns who got a regular slot (best first) and the optimistic one. */
  rechoke(): { regular: Wire[]; optimistic?: Wire } {
    const torrent = this.torrent;
    if (!torrent.ready || torrent.destroyed) return { regular: [] };
    const pieceCount = torrent.pieces.length;
    const isSeeding = torrent.done;
    const candidates: Wire[] = [];
    for (const wire of torrent.wires) {
      wire.isSeeder = isRealSeeder(wire, pieceCount);
      if (wire.peerInterested && !wire.isSeeder) candidates.push(wire);
      else wire.choke();
    }
    const rate = (wire: Wire) => (isSeeding ? wire.uploadSpeed() : measuredSpeedOf(wire));
    candidates.sort((a, b) => rate(b) - rate(a) || Number(a.amChoking) - Number(b.amChoking));

    if (this.optimistic && (this.roundsLeft <= 0 || !candidates.includes(this.optimistic))) this.optimistic = undefined;
    this.roundsLeft -= 1;
    const regular = candidates.filter((wire) => wire !== this.optimistic).slice(0, this.slots);
    if (!this.optimistic) {
      const rest = candidates.filter((wire) => !regular.includes(wire));
      if (rest.length > 0) {
        this.optimistic = rest[Math.floor(Math.random() * rest.length)];
        this.roundsLeft = OPTIMISTIC_ROUNDS;
      }
    }
    for (const wire of candidates) {
      if (regular.includes(wire) || wire === this.optimistic) wire.unchoke();
      else wire.choke();
    }
    return { regular, optimistic: this.optimistic };
  }

  /** torrent-peers.ts, for every wire: unchoke it when it turns interested and a slot is free. */
  watch(wire: Wire): void {
    wire.on('interested', () => this.onInterested(wire));
  }

  private onInterested(wire: Wire): void {
    if (!wire.amChoking || this.torrent.destroyed) return;
    let unchoked = 0;
    for (const other of this.torrent.wires) if (!other.amChoking && other.peerInterested) unchoked += 1;
    if (unchoked < this.slots + 1) wire.unchoke(); // the regular slots and the optimistic one
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
