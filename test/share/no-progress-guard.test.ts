import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { maxUnverifiedBytes, MIN_UNVERIFIED_BYTES, NoProgressGuard } from '../../src/share/no-progress-guard.js';
import type { Torrent, Wire } from 'webtorrent';

const BLOCK_BYTES = 16 * 1024;
const PIECE_BYTES = 256 * 1024;

// webtorrent's state: pieces[i] set while piece i is assembled, null once verified.
function torrentOf(pieceCount: number): Torrent & EventEmitter {
  const torrent = new EventEmitter() as unknown as Omit<Torrent, 'pieces'> & EventEmitter & { pieces: unknown[] };
  torrent.pieces = Array.from({ length: pieceCount }, () => ({}));
  torrent.pieceLength = PIECE_BYTES;
  torrent.bitfield = { get: (i: number) => torrent.pieces[i] === null };
  return torrent as unknown as Torrent & EventEmitter;
}

/** A wire as the guard sees it: bittorrent-protocol emits 'download' then 'piece' for every block. */
function sendBlock(wire: EventEmitter, index: number): void {
  wire.emit('download', BLOCK_BYTES);
  wire.emit('piece', index, 0, new Uint8Array(BLOCK_BYTES));
}

function verify(torrent: Torrent & EventEmitter, index: number): void {
  (torrent.pieces as unknown[])[index] = null;
  torrent.emit('verified', index);
}

describe('no-progress guard', () => {
  it('convicts a peer whose data never verifies, once, past the limit', () => {
    const torrent = torrentOf(4);
    const stalled: [string, number][] = [];
    const guard = new NoProgressGuard(torrent, (peer, bytes) => stalled.push([peer, bytes]));
    const wire = new EventEmitter();
    guard.watch(wire as unknown as Wire, 'liar');
    const blocksToLimit = maxUnverifiedBytes(PIECE_BYTES) / BLOCK_BYTES;
    for (let i = 0; i < blocksToLimit; i++) sendBlock(wire, i % 4);
    expect(stalled).toEqual([]);
    sendBlock(wire, 0);
    expect(stalled).toEqual([['liar', MIN_UNVERIFIED_BYTES + BLOCK_BYTES]]);
  });

  it('never convicts a peer whose pieces keep verifying, however much it sends', () => {
    const pieceCount = 1024; // 256 MiB, eight times the limit
    const torrent = torrentOf(pieceCount);
    const stalled: string[] = [];
    const guard = new NoProgressGuard(torrent, (peer) => stalled.push(peer));
    const wire = new EventEmitter();
    guard.watch(wire as unknown as Wire, 'honest');
    for (let index = 0; index < pieceCount; index++) {
      for (let block = 0; block < PIECE_BYTES / BLOCK_BYTES; block++) sendBlock(wire, index);
      verify(torrent, index);
    }
    expect(stalled).toEqual([]);
  });

  it('gives no credit for a piece that failed its hash check, nor to a peer that sent nothing of it', () => {
    const torrent = torrentOf(2);
    const stalled: string[] = [];
    const guard = new NoProgressGuard(torrent, (peer) => stalled.push(peer));
    const liar = new EventEmitter();
    const bystander = new EventEmitter();
    guard.watch(liar as unknown as Wire, 'liar');
    guard.watch(bystander as unknown as Wire, 'bystander');
    const blocks = maxUnverifiedBytes(PIECE_BYTES) / BLOCK_BYTES;
    for (let i = 0; i < blocks; i++) sendBlock(liar, 0);
    torrent.emit('warning', new Error('Piece 0 failed verification'));
    for (let i = 0; i < blocks; i++) bystander.emit('download', BLOCK_BYTES); // blocks answering no request
    verify(torrent, 0); // completed later by someone else
    sendBlock(liar, 1);
    bystander.emit('download', BLOCK_BYTES);
    expect(stalled).toEqual(['liar', 'bystander']);
  });
});
