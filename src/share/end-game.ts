/**
 * End game. webtorrent 2.8.5 has none: a block is reserved by one wire, and only its
 * "hotswap" (which our piece picker no longer feeds) could move it. At the tail of a
 * download, one slow, stalled or merely busy peer can hold the last blocks while other
 * peers that have them sit idle.
 *
 * Every END_GAME_CHECK_MS, when no missing piece has an unreserved block left and some
 * unchoked wire that has a missing piece is idle, the busy wire that will take longest to
 * deliver what it owes (its blocks over its measured rate) shares its outstanding requests
 * with the idle wires that can serve them, in proportion to their rates: it keeps the
 * requests it sent first (most likely on their way already) and cancels the rest, which go
 * to the idle wires piece by piece. Moving them to one idle wire only, and only when it was
 * twice as fast (before), left a capped N = 8 swarm waiting ~2 s at the end on one getter
 * that served seven others at a seventh of its uplink each, while six getters and the
 * sharer had nothing to do. Requests for pieces no idle wire has stay where they are:
 * cancelling them (as before that) made the getter ask the same peer again a moment later,
 * and a sharer whose socket had already queued the blocks sent them twice. The magnet's
 * sharer takes part only when it is SHARER_TAKES_AT times faster than the busy wire, or has
 * shared everything (seeder-last.ts). Cancelled requests are cheap (a CANCEL message); data that still
 * arrives for them is discarded by webtorrent.
 */
import type { Torrent, Wire } from 'webtorrent';
import { measuredSpeedOf, type LinkMeter, type MeteredWire } from './link-pipeline.js';
import { isRequestable } from './piece-picker.js';
import { askForEndGame, hasSharedEverything, isSharer } from './seeder-last.js';
import { requestBlock } from './webtorrent-internals.js';

export const END_GAME_CHECK_MS = 250;
/**
 * How much faster than the busy wire the magnet's sharer must be to take blocks from it:
 * its capped uplink is the swarm's bottleneck, and a getter serving the same pieces a bit
 * slower still frees it (seeder-last.ts).
 */
const SHARER_TAKES_AT = 8;

interface WireRequest {
  piece: number;
  offset: number;
  length: number;
}

type RequestingWire = Wire & { requests: WireRequest[]; cancel(index: number, offset: number, length: number): void };

export function startEndGame(torrent: Torrent): () => void {
  const timer = setInterval(() => shareTheTail(torrent), END_GAME_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function shareTheTail(torrent: Torrent): void {
  if (!torrent.ready || torrent.done || torrent.destroyed) return;
  const pieces = torrent.pieces;
  const missing: number[] = [];
  for (let i = 0; i < pieces.length; i++) {
    if (isRequestable(pieces[i])) return; // not the tail yet: normal picking still has work
    if (pieces[i]) missing.push(i);
  }
  if (missing.length === 0) return;
  const wires = torrent.wires as RequestingWire[];
  const idle = wires.filter((w) => !w.peerChoking && !w.destroyed && w.requests.length === 0 && missing.some((i) => w.peerPieces.get(i)));
  if (idle.length === 0) return;
  const canServe = (request: WireRequest) => idle.some((w) => w.peerPieces.get(request.piece));
  const owing = wires.filter((w) => !w.destroyed && !idle.includes(w) && w.requests.some(canServe));
  if (owing.length === 0) return;
  const busiest = owing.reduce((a, b) => (secondsOwed(b) > secondsOwed(a) ? b : a));
  const busyRate = liveRateOf(busiest);
  const eligible = idle.filter((w) => !isSharer(w) || hasSharedEverything(torrent, w) || idleRateOf(w) > SHARER_TAKES_AT * busyRate);
  const movable = busiest.requests.filter((request: WireRequest) => eligible.some((w) => w.peerPieces.get(request.piece)));
  if (movable.length === 0) return;
  const takers = eligible.filter((w) => movable.some((request: WireRequest) => w.peerPieces.get(request.piece)));
  const keep = requestsToKeep(movable.length, busyRate, takers.map(idleRateOf));
  const moved = movable.slice(keep);
  if (moved.length === 0) return;
  // A stalled peer's last good rate would make it the favourite taker again once idle.
  const meter = meterOf(busiest);
  if (busyRate === 0 && meter) meter.lastBusyRateBytesPerSecond = 0;
  for (const request of moved) busiest.cancel(request.piece, request.offset, request.length);
  handOut(torrent, moved, takers);
  torrent.emit('end-game-steal', busiest);
}

/** How long `wire` takes to deliver what it owes at its measured rate (a stalled one: forever). */
function secondsOwed(wire: RequestingWire): number {
  const rate = liveRateOf(wire);
  let bytes = 0;
  for (const request of wire.requests) bytes += request.length;
  return rate > 0 ? bytes / rate : Infinity;
}

/**
 * What a busy wire delivers now: its link's recent delivery rate, else (nothing delivered in
 * the last seconds) the 5 s average, which reaches 0 once it has stalled that long.
 */
const liveRateOf = (wire: Wire): number => meterOf(wire)?.currentRateBytesPerSecond() || measuredSpeedOf(wire);

const meterOf = (wire: Wire): LinkMeter | undefined => (wire as MeteredWire).linkMeter;

/**
 * What an idle wire can carry: the rate it had when it last delivered (the live estimate
 * forgets a link that waits). One never measured counts as 1 byte/s: it gets a share, the smallest.
 */
const idleRateOf = (wire: Wire): number => Math.max(1, meterOf(wire)?.lastBusyRateBytesPerSecond ?? measuredSpeedOf(wire));

/**
 * Of `count` requests, how many the busy wire keeps so that it and the takers finish about
 * together, each at its measured rate. A busy wire with no measured rate keeps none.
 */
export function requestsToKeep(count: number, busyRate: number, takerRates: readonly number[]): number {
  if (busyRate <= 0) return 0;
  const total = takerRates.reduce((sum, rate) => sum + rate, busyRate);
  return Math.min(count, Math.round((count * busyRate) / total));
}

/**
 * Gives the cancelled blocks to the takers a piece at a time, each piece to the taker that
 * has it and has been given the least time so far, so a piece completes at one peer. What a
 * taker cannot take (its pipeline full, or the getter's writes holding requests back) is left
 * free for webtorrent's next round of requests, which may give it back to the busy peer.
 */
function handOut(torrent: Torrent, moved: readonly WireRequest[], takers: readonly RequestingWire[]): void {
  const blocksOf = new Map<number, { blocks: number; bytes: number }>();
  for (const request of moved) {
    const entry = blocksOf.get(request.piece) ?? { blocks: 0, bytes: 0 };
    blocksOf.set(request.piece, { blocks: entry.blocks + 1, bytes: entry.bytes + request.length });
  }
  const secondsGiven = new Map<RequestingWire, number>(takers.map((w) => [w, 0]));
  for (const [piece, { blocks, bytes }] of blocksOf) {
    const holders = takers.filter((w) => w.peerPieces.get(piece)); // at least one: moved only such pieces
    const taker = holders.reduce((a, b) => (secondsGiven.get(b)! < secondsGiven.get(a)! ? b : a));
    let asked = 0;
    askForEndGame(taker, () => {
      while (asked < blocks && requestBlock(torrent, taker, piece)) asked++;
    });
    secondsGiven.set(taker, secondsGiven.get(taker)! + (bytes * asked) / blocks / idleRateOf(taker));
  }
}
