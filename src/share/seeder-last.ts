/**
 * A getter asks a peer that has every piece (the sharer, once its super-seeding is done)
 * only for pieces no other getter that lets us download has. The sharer's capped uplink is the
 * swarm's bottleneck: every block it sends that a getter could have sent is time taken from
 * the pieces only it has, and in a capped N = 8 run the sharer sent 5-10 MiB of a 16 MiB
 * file a second time after announcing everything, while the getters' own uplinks had room.
 * Pieces nobody else has (or whose holders choke us) are still asked of the sharer, and
 * end game (end-game.ts) may still hand an idle sharer blocks a much slower peer holds.
 * A super-seeding sharer announces, when it is done, every piece (also those the getter
 * has), so that the getter can tell it has them all.
 */
import type { Torrent, Wire } from 'webtorrent';
import { replaceRequest, requestNow } from './webtorrent-internals.js';

/** The wire end game is handing blocks to right now: it may take any piece. */
let endGameTaker: Wire | undefined;
/** Per wire, the first piece it was not known to have: peers only gain pieces, so each is scanned once. */
const firstMissing = new WeakMap<Wire, number>();

/**
 * Whether the peer has every piece. Not webtorrent's `wire.isSeeder`: it is true before a
 * bitfield came (see fair-choker.ts) and stays false for a sharer that announced have-none
 * and then every piece one `have` at a time (super-seeding).
 */
export function hasEveryPiece(torrent: Torrent, wire: Wire): boolean {
  const pieceCount = torrent.pieces.length;
  let index = firstMissing.get(wire) ?? 0;
  while (index < pieceCount && wire.peerPieces.get(index)) index++;
  firstMissing.set(wire, index);
  return pieceCount > 0 && index === pieceCount;
}

export function useSeederLast(torrent: Torrent): void {
  // Only a peer still getting the file counts: two sharers must not each leave a piece to the other.
  const aGetterHas = (wire: Wire, index: number) =>
    torrent.wires.some((other) => other !== wire && !other.peerChoking && !other.destroyed && other.peerPieces.get(index) && !hasEveryPiece(torrent, other));
  replaceRequest(torrent, (request) => (wire, index, hotswap) => {
    if (wire !== endGameTaker && hasEveryPiece(torrent, wire) && aGetterHas(wire, index)) return false;
    return request(wire, index, hotswap);
  });
}

/** end-game.ts: `wire` requests now, from any piece it has (a seeder included). */
export function askForEndGame(torrent: Torrent, wire: Wire): void {
  endGameTaker = wire;
  try {
    requestNow(torrent, wire);
  } finally {
    endGameTaker = undefined;
  }
}
