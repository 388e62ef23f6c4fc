/**
 * End game. webtorrent 2.8.5 has none: a block is reserved by one wire, and only its
 * "hotswap" (which our piece picker no longer feeds) could move it. At the tail of a
 * download, one slow or stalled peer can hold the last blocks while fast peers sit idle.
 *
 * Every CHECK_INTERVAL_MS, when no missing piece has an unreserved block left and some
 * unchoked wire that has a missing piece is idle, the outstanding requests of the slowest
 * busy wire (if it is at most half as fast as the idle one) are cancelled: their blocks
 * become requestable again and go to the faster peers. Cancelled requests are cheap
 * (a CANCEL message); data that still arrives for them is discarded by webtorrent.
 */
import type { Torrent, Wire } from 'webtorrent';
import { isRequestable } from './piece-picker.js';

const CHECK_INTERVAL_MS = 1000;

interface WireRequest {
  piece: number;
  offset: number;
  length: number;
}

type RequestingWire = Wire & { requests: WireRequest[]; cancel(index: number, offset: number, length: number): void };

const speedOf = (wire: Wire) => (wire.measuredDownloadSpeed ?? wire.downloadSpeed)();

export function startEndGame(torrent: Torrent): () => void {
  const timer = setInterval(() => {
    if (!torrent.ready || torrent.done || torrent.destroyed) return;
    const pieces = torrent.pieces;
    const missing: number[] = [];
    for (let i = 0; i < pieces.length; i++) {
      if (isRequestable(pieces[i])) return; // not the tail yet: normal picking still has work
      if (pieces[i]) missing.push(i);
    }
    if (missing.length === 0) return;
    const wires = torrent.wires as RequestingWire[];
    const idle = wires.filter((w) => !w.peerChoking && w.requests.length === 0 && missing.some((i) => w.peerPieces.get(i)));
    if (idle.length === 0) return;
    const fastestIdle = Math.max(...idle.map(speedOf));
    const busy = wires.filter((w) => w.requests.length > 0).sort((a, b) => speedOf(a) - speedOf(b));
    const slowest = busy[0];
    if (!slowest || speedOf(slowest) * 2 > fastestIdle) return;
    for (const request of [...slowest.requests]) slowest.cancel(request.piece, request.offset, request.length);
    torrent.emit('end-game-steal', slowest);
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
