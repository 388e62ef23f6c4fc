/**
 * A getter asks the sharer named by the magnet (its x.key) only for pieces no other peer
 * that lets us download has. The sharer's capped uplink is the swarm's bottleneck: every
 * block it sends that a getter could have sent is time taken from the pieces only it has,
 * and in a capped N = 8 run the sharer sent 5-10 MiB of a 16 MiB file a second time after
 * announcing everything, while the getters' own uplinks had room. Pieces nobody else has
 * (or whose holders choke us) are still asked of it, and end game (end-game.ts) may still
 * hand it blocks a much slower peer holds; a holder that stalls or is far slower than the
 * sharer does not count (canServeInstead). Only the magnet's sharer: told apart by its key,
 * not by its having every piece (a getter that finished has them too, and two full sharers
 * would each leave every piece to the other).
 *
 * A super-seeding sharer (super-seeder.ts) announces its pieces one `have` at a time, and the
 * rest once every piece is out in the swarm: from then on it has nothing only it can send
 * (hasSharedEverything). End game then uses its idle uplink like a getter's (end-game.ts);
 * the picker still leaves it last: asked like any peer from then on, it took requests from
 * all 8 capped getters at once and was no faster (10.0-11.2 s against 9.8-10.5).
 */
import type { Torrent, Wire } from 'webtorrent';
import { measuredSpeedOf } from './link-pipeline.js';
import { replaceRequest } from './webtorrent-internals.js';

/** The wire end game is handing blocks to right now: it may take any piece. */
let endGameTaker: Wire | undefined;
const sharers = new WeakSet<Wire>();

/** Pieces each sharer announced one by one (bittorrent-protocol emits `have` once per piece). */
const announcedOneByOne = new WeakMap<Wire, number>();

/** torrent-peers.ts: this wire's peer holds the magnet's key. */
export function markSharer(wire: Wire): void {
  sharers.add(wire);
  announcedOneByOne.set(wire, 0);
  wire.on('have', () => announcedOneByOne.set(wire, announcedOneByOne.get(wire)! + 1));
}

/** end-game.ts: the sharer has announced every piece one by one, so its super-seeding is over (a have-all sharer never has). */
export function hasSharedEverything(torrent: Pick<Torrent, 'pieces'>, wire: Wire): boolean {
  const announced = announcedOneByOne.get(wire);
  return announced !== undefined && torrent.pieces.length > 0 && announced >= torrent.pieces.length;
}

export const isSharer = (wire: Wire): boolean => sharers.has(wire);

/** How much slower than the sharer a holder may be and still be asked instead of it. */
export const MAX_HOLDER_SLOWDOWN = 8;

type RateWire = Pick<Wire, 'requests' | 'downloadSpeed' | 'measuredDownloadSpeed'>;

/**
 * Whether `holder` can take a piece off the sharer's hands: not a holder we are waiting on
 * that delivers nothing (stalled: webtorrent would wait out its 30 s piece timeout), nor one
 * far slower than the sharer (an uncapped sharer on the LAN must not idle while a relayed
 * getter trickles). One not asked yet, or not measured yet, gets the benefit of the doubt:
 * in a capped swarm every getter starts unmeasured, and the sharer's uplink is the bottleneck.
 */
export function canServeInstead(holder: RateWire, sharer: RateWire): boolean {
  const holderRate = measuredSpeedOf(holder);
  if (holder.requests.length > 0 && holderRate === 0) return false;
  const sharerRate = measuredSpeedOf(sharer);
  return !(holderRate > 0 && sharerRate > 0 && holderRate * MAX_HOLDER_SLOWDOWN < sharerRate);
}

export function useSeederLast(torrent: Torrent): void {
  const anotherHas = (wire: Wire, index: number) =>
    torrent.wires.some((other) => other !== wire && !other.peerChoking && !other.destroyed && other.peerPieces.get(index) && canServeInstead(other, wire));
  replaceRequest(torrent, (request) => (wire, index, hotswap) => {
    if (wire !== endGameTaker && sharers.has(wire) && anotherHas(wire, index)) return false;
    return request(wire, index, hotswap);
  });
}

/** end-game.ts: runs `ask` with `wire` free to request any piece it has (the sharer included). */
export function askForEndGame<T>(wire: Wire, ask: () => T): T {
  endGameTaker = wire;
  try {
    return ask();
  } finally {
    endGameTaker = undefined;
  }
}
