/**
 * The getter's piece buffers: a piece is assembled in one (webtorrent-internals.ts,
 * assemblePiecesInPlace), hashed, written by no-follow-store.ts, and then handed back here
 * for the next piece. A fresh buffer per piece lived from its first block to its write,
 * long enough to be promoted, and every piece's worth of it counted towards V8's next
 * full mark-compact (secure/buffer-pool.ts says why).
 *
 * Nothing may keep a piece after its write: webtorrent drops it (ImmediateChunkStore keeps
 * it only while the write is pending, and hands out copies of ranges of it), and a block
 * served from it is copied first (wire-request-limit.ts).
 */
import { BufferPool } from '../secure/buffer-pool.js';

/** At most this much is kept free; a get's pieces in flight are usually far fewer. */
const MAX_FREE_BYTES = 32 * 1024 * 1024;
/** Smaller pieces come from node's own pool anyway. */
const MIN_POOLED_BYTES = 64 * 1024;

let pool: BufferPool | undefined;

/** A buffer for a piece of `bytes`, old contents included: every byte is written before it is used. */
export function takePieceBuffer(bytes: number): Buffer {
  if (bytes < MIN_POOLED_BYTES) return Buffer.allocUnsafe(bytes);
  if (pool?.bufferBytes !== bytes) {
    // The last piece is shorter: it gets its own buffer, and the pool stays for the others.
    if (pool && pool.bufferBytes > bytes) return Buffer.allocUnsafe(bytes);
    pool = new BufferPool(bytes, Math.max(2, Math.floor(MAX_FREE_BYTES / bytes)));
  }
  return pool.take();
}

/** After the piece is on disk: nobody may use `buffer` any more. */
export function releasePieceBuffer(buffer: Uint8Array): void {
  pool?.release(buffer);
}
