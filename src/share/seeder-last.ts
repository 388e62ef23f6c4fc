/**
 * A getter asks the sharer named by the magnet (its x.key) only for pieces no other peer
 * that lets us download has. The sharer's capped uplink is the swarm's bottleneck: every
 * block it sends that a getter could have sent is time taken from the pieces only it has,
 * and in a capped N = 8 run the sharer sent 5-10 MiB of a 16 MiB file a second time after
 * announcing everything, while the getters' own uplinks had room. Pieces nobody else has
 * (or whose holders choke us) are still asked of it, and end game (end-game.ts) may still
 * hand it blocks a much slower peer holds. Only the magnet's sharer: told apart by its key,
 * not by its having every piece (a getter that finished has them too, and two full sharers
 * would each leave every piece to the other).
 */
import type { Torrent, Wire } from 'webtorrent';
import { replaceRequest, requestNow } from './webtorrent-internals.js';

/** The wire end game is handing blocks to right now: it may take any piece. */
let endGameTaker: Wire | undefined;
const sharers = new WeakSet<Wire>();

/** torrent-peers.ts: this wire's peer holds the magnet's key. */
export function markSharer(wire: Wire): void {
  sharers.add(wire);
}

export const isSharer = (wire: Wire): boolean => sharers.has(wire);

export function useSeederLast(torrent: Torrent): void {
  const anotherHas = (wire: Wire, index: number) =>
    torrent.wires.some((other) => other !== wire && !other.peerChoking && !other.destroyed && other.peerPieces.get(index));
  replaceRequest(torrent, (request) => (wire, index, hotswap) => {
    if (wire !== endGameTaker && sharers.has(wire) && anotherHas(wire, index)) return false;
    return request(wire, index, hotswap);
  });
}

/** end-game.ts: `wire` requests now, from any piece it has (the sharer included). */
export function askForEndGame(torrent: Torrent, wire: Wire): void {
  endGameTaker = wire;
  try {
    requestNow(torrent, wire);
  } finally {
    endGameTaker = undefined;
  }
}
