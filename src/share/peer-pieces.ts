/**
 * How much of a torrent a peer has, in bytes, from what it announces: its bitfield (or
 * BEP 6 have-all / have-none) and a `have` per piece it verified since. A sharer shows
 * this as each getter's progress; the peer's word is all we have, so it is only used
 * for display.
 */
import type { Torrent, Wire } from 'webtorrent';
import { isPieceIndex } from './wire-piece-index-limit.js';

/** Keeps `into.hasBytes` equal to the bytes of the pieces `wire`'s peer has announced. */
export function trackPeerPieces(torrent: Torrent, wire: Wire, into: { hasBytes?: number }): void {
  const pieceBytes = (index: number) => (index === torrent.pieces.length - 1 ? torrent.lastPieceLength : torrent.pieceLength);
  const recount = () => {
    let bytes = 0;
    // Only indices of this torrent: a bitfield may be longer (padding, or a hostile peer).
    for (let index = 0; index < torrent.pieces.length; index += 1) if (wire.peerPieces.get(index)) bytes += pieceBytes(index);
    into.hasBytes = bytes;
  };
  into.hasBytes = 0; // a new link: nothing known until its bitfield
  wire.on('bitfield', recount);
  wire.on('have-all', recount);
  wire.on('have-none', recount);
  // bittorrent-protocol emits 'have' only for a piece not set before: counting up is exact.
  wire.on('have', (index: number) => {
    if (isPieceIndex(index, torrent.pieces.length)) into.hasBytes = (into.hasBytes ?? 0) + pieceBytes(index);
  });
}
