/**
 * Packs a batch of application writes into sealed data frames (docs/protocol.md section 4,
 * "Packing"). Each frame holds at most the Noise maximum. A write that fits in a frame is
 * not split across two: it starts a new frame if the current one has no room, and a small
 * write goes with the write after it (a BitTorrent piece header with its block). So a
 * reader's messages mostly end where frames end, and it parses each frame's plaintext as
 * views instead of joining the rest of one frame to the next.
 *
 * Once a batch is sealed its buffers are no longer needed (sealing copied their bytes), so
 * served blocks lent by buffer-pool.ts go back to their pool here.
 */
import { servedBlocks } from './buffer-pool.js';
import { DATA_TYPE_PREFIX as DATA_TYPE } from './frame-types.js';
import { MAX_PLAINTEXT_BYTES, type FrameSealer } from './transport-cipher.js';

/** A write under this size is kept in one frame with the write after it. */
const GLUED_WRITE_BYTES = 1024;

/**
 * Seals `batch` into frames and hands each frame's pieces (header, ciphertext, tag) to
 * `write`. Returns false if any `write` returned false (the socket wants a drain).
 */
export function packFrames(batch: readonly Buffer[], sealer: FrameSealer, write: (piece: Buffer) => boolean): boolean {
  let isFlowing = true;
  let parts: Buffer[] = [DATA_TYPE];
  let partsBytes = DATA_TYPE.length;
  const flush = () => {
    if (partsBytes === DATA_TYPE.length) return;
    for (const piece of sealer.sealPieces(parts)) isFlowing = write(piece) && isFlowing;
    parts = [DATA_TYPE];
    partsBytes = DATA_TYPE.length;
  };
  for (let i = 0; i < batch.length; i++) {
    const buffer = batch[i]!;
    const next = batch[i + 1];
    const keptBytes = buffer.length < GLUED_WRITE_BYTES && next !== undefined ? buffer.length + next.length : buffer.length;
    if (partsBytes + keptBytes > MAX_PLAINTEXT_BYTES && DATA_TYPE.length + keptBytes <= MAX_PLAINTEXT_BYTES) flush();
    let offset = 0;
    while (offset < buffer.length) {
      const take = Math.min(buffer.length - offset, MAX_PLAINTEXT_BYTES - partsBytes);
      parts.push(offset === 0 && take === buffer.length ? buffer : buffer.subarray(offset, offset + take));
      partsBytes += take;
      offset += take;
      if (partsBytes === MAX_PLAINTEXT_BYTES) flush();
    }
  }
  flush();
  for (const buffer of batch) servedBlocks.release(buffer);
  return isFlowing;
}
