/**
 * A getter asks a peer that has every piece (the sharer, once its super-seeding is done)
 * only for pieces no other peer that lets us download has. The sharer's capped uplink is the
 * swarm's bottleneck: every block it sends that a getter could have sent is time taken from
 * the pieces only it has, and in a capped N = 8 run the sharer sent 5-10 MiB of a 16 MiB
 * file a second time after announcing everything, while the getters' own uplinks had room.
 * Pieces nobody else has (or whose holders choke us) are still asked of the sharer, and
 * end game (end-game.ts) may still hand an idle sharer blocks a much slower peer holds.
 */
import type { Torrent, Wire } from 'webtorrent';
import { isRealSeeder } from './fair-choker.js';
import { replaceRequest, requestNow } from './webtorrent-internals.js';

/** The wire end game is handing blocks to right now: it may take any piece. */
let endGameTaker: Wire | undefined;

export function useSeederLast(torrent: Torrent): void {
  // webtorrent's isSeeder can be true before a bitfield came (see fair-choker.ts): confirmed once per wire.
  const seeders = new WeakSet<Wire>();
  const isSeeder = (wire: Wire) => {
    if (!wire.isSeeder) return false;
    if (!seeders.has(wire) && isRealSeeder(wire, torrent.pieces.length)) seeders.add(wire);
    return seeders.has(wire);
  };
  const someoneElseHas = (wire: Wire, index: number) =>
    torrent.wires.some((other) => other !== wire && !other.peerChoking && !other.destroyed && other.peerPieces.get(index));
  replaceRequest(torrent, (request) => (wire, index, hotswap) => {
    if (wire !== endGameTaker && isSeeder(wire) && someoneElseHas(wire, index)) return false;
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
