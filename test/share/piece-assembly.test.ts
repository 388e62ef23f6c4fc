// Pieces assembled in place on the getter (issue 10, CPU per byte): with the fenced patch
// installed on webtorrent's own Piece class, blocks arriving in any order, repeated, or as
// views into a larger frame give exactly the piece's bytes; the frame can be reused right
// after set() (the block was copied); flush() gives nothing until every block is in; and a
// piece buffer handed back after its write is the one the next piece is assembled in.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import Piece from 'torrent-piece';
import { assemblePiecesInPlace } from '../../src/share/webtorrent-internals.js';
import { releasePieceBuffer } from '../../src/share/piece-buffers.js';

const BLOCK = 16 * 1024;

interface PieceApi {
  missing: number;
  set(i: number, data: Uint8Array, source: unknown): boolean;
  flush(): Uint8Array | null;
}

const newPiece = (length: number) => new (Piece as unknown as new (length: number) => PieceApi)(length);

describe('pieces assembled in place', () => {
  it('blocks out of order, repeated, and as views into a frame give exactly the piece', async () => {
    await assemblePiecesInPlace();
    const data = randomBytes(4 * BLOCK + 100); // a short last block
    const piece = newPiece(data.length);
    const source = {};
    const frame = Buffer.alloc(64 * 1024);
    for (const i of [4, 1, 1, 0, 3]) {
      const block = data.subarray(i * BLOCK, (i + 1) * BLOCK);
      block.copy(frame, 7);
      expect(piece.set(i, frame.subarray(7, 7 + block.length), source)).toBe(false);
      frame.fill(0xaa); // the frame's next contents: the piece must already hold its own copy
      expect(piece.flush()).toBe(null);
    }
    expect(piece.missing).toBe(BLOCK);
    expect(piece.set(2, data.subarray(2 * BLOCK, 3 * BLOCK), source)).toBe(true);
    expect(piece.missing).toBe(0);
    const assembled = piece.flush()!;
    expect(Buffer.from(assembled).equals(data)).toBe(true);
    expect(piece.set(0, data.subarray(0, BLOCK), source)).toBe(false); // flushed: nothing more
  });

  it('the buffer of a piece that was written is reused for the next piece, which gets its own bytes', async () => {
    await assemblePiecesInPlace();
    const length = 16 * BLOCK;
    const assemble = (data: Buffer) => {
      const piece = newPiece(length);
      for (let i = 0; i < 16; i++) piece.set(i, data.subarray(i * BLOCK, (i + 1) * BLOCK), 'peer');
      return piece.flush()!;
    };
    const first = randomBytes(length);
    const firstPiece = assemble(first);
    expect(Buffer.from(firstPiece).equals(first)).toBe(true);
    releasePieceBuffer(firstPiece);
    const second = randomBytes(length);
    const secondPiece = assemble(second);
    expect(secondPiece).toBe(firstPiece);
    expect(Buffer.from(secondPiece).equals(second)).toBe(true);
  });
});
