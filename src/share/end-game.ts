/**
 * End game. webtorrent 2.8.5 has none: a block is reserved by one wire, and only its
 * "hotswap" (which our piece picker no longer feeds) could move it. At the tail of a
 * download, one slow or stalled peer can hold the last blocks while fast peers sit idle.
 *
 * Every CHECK_INTERVAL_MS, when no missing piece has an unreserved block left and some
 * unchoked wire that has a missing piece is idle, the slowest busy wire (if it is at most
 * half as fast as the idle one; an eighth when the idle one is the magnet's sharer) gives
 * up its outstanding requests for pieces the idle wire has, and the idle wire is asked to
 * request at once (before the slow one re-plans and takes them back). Requests for pieces only the slow wire can serve stay with it: cancelling them
 * (as before) made the getter ask the same peer again a moment later, and a sharer whose
 * socket had already queued the blocks sent them twice. Cancelled requests are cheap (a
 * CANCEL message); data that still arrives for them is discarded by webtorrent.
 */
import type { Torrent, Wire } from 'webtorrent';
import { measuredSpeedOf } from './link-pipeline.js';
import { isRequestable } from './piece-picker.js';
import { askForEndGame, isSharer } from './seeder-last.js';

const CHECK_INTERVAL_MS = 1000;
/** How much faster than the slowest busy wire an idle one must be to take its blocks over. */
const TAKES_AT = 2;
/**
 * The same for the magnet's sharer: its capped uplink is the swarm's bottleneck, and a
 * getter serving the same pieces a bit slower still frees it (seeder-last.ts).
 */
const SHARER_TAKES_AT = 8;

interface WireRequest {
  piece: number;
  offset: number;
  length: number;
}

type RequestingWire = Wire & { requests: WireRequest[]; cancel(index: number, offset: number, length: number): void };

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
    const taker = idle.reduce((a, b) => (measuredSpeedOf(b) > measuredSpeedOf(a) ? b : a));
    const canTake = (request: WireRequest) => taker.peerPieces.get(request.piece);
    const busy = wires.filter((w) => w !== taker && w.requests.some(canTake)).sort((a, b) => measuredSpeedOf(a) - measuredSpeedOf(b));
    const slowest = busy[0];
    const ratio = isSharer(taker) ? SHARER_TAKES_AT : TAKES_AT;
    if (!slowest || measuredSpeedOf(slowest) * ratio > measuredSpeedOf(taker)) return;
    for (const request of slowest.requests.filter(canTake)) slowest.cancel(request.piece, request.offset, request.length);
    askForEndGame(torrent, taker);
    torrent.emit('end-game-steal', slowest);
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
