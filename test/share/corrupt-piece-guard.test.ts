import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { CorruptPieceGuard } from '../../src/share/corrupt-piece-guard.js';
import type { Torrent, Wire } from 'webtorrent';

// The torrent's state as webtorrent keeps it: pieces[i] is set while piece i is being
// assembled, null once verified; bitfield says what we have.
function torrentWith(pieceCount: number, have: number[]): Torrent {
  const torrent = new EventEmitter() as unknown as Omit<Torrent, 'pieces'> & { pieces: unknown[]; bitfield: { get(i: number): boolean } };
  torrent.pieces = Array.from({ length: pieceCount }, (_, i) => (have.includes(i) ? null : { length: 262144 }));
  torrent.bitfield = { get: (i: number) => have.includes(i) };
  return torrent as unknown as Torrent;
}

describe('corrupt piece guard', () => {
  it('keeps no blocks a trusted peer sends for pieces we already have, unrequested, or oversized', () => {
    const torrent = torrentWith(8, [0, 1, 2]);
    const guard = new CorruptPieceGuard(torrent, () => {});
    const wire = new EventEmitter() as unknown as Wire;
    guard.watch(wire, 'peer');
    const block = new Uint8Array(16384);
    for (let i = 0; i < 5000; i++) (wire as unknown as EventEmitter).emit('piece', i % 3, (i * 16384) % 262144, block);
    (wire as unknown as EventEmitter).emit('piece', 99, 0, block);
    (wire as unknown as EventEmitter).emit('piece', 5, 0, new Uint8Array(1024 * 1024));
    expect(guard.retainedBlockCount).toBe(0);
    for (let i = 0; i < 5000; i++) (wire as unknown as EventEmitter).emit('piece', 5, 0, block);
    expect(guard.retainedBlockCount).toBeLessThanOrEqual(1024);
    expect(guard.retainedBlockCount).toBeGreaterThan(0);
  });

  it('still convicts the single contributor of a piece that fails its hash check', () => {
    const torrent = torrentWith(4, []);
    const convicted: string[] = [];
    const guard = new CorruptPieceGuard(torrent, (peer) => convicted.push(peer));
    const wire = new EventEmitter();
    guard.watch(wire as unknown as Wire, 'liar');
    wire.emit('piece', 2, 0, new Uint8Array(16384));
    (torrent as unknown as EventEmitter).emit('warning', new Error('Piece 2 failed verification'));
    expect(convicted).toEqual(['liar']);
  });
});
