// Fuzz: 100,000 random and mutated byte streams through FrameDecoder, in random chunkings,
// against a reference parser. The only error allowed is FRAME_TOO_LARGE, exactly when the
// reference meets an oversized length; no frame ever exceeds the cap.
import { describe, expect, it } from 'vitest';
import { SwarmError } from '../../src/errors.js';
import { encodeFrame, FrameDecoder } from '../../src/secure/frame-codec.js';
import { mutate, randomBuffer, randomChunks, randomInt, seededRandom } from '../helpers/fuzz.js';

const CASES = 100_000;

/** Frames of `data` until the first oversized header (reference: one pass, no chunking). */
function referenceParse(data: Buffer, maxBytes: number): { frames: Buffer[]; tooLarge: boolean } {
  const frames: Buffer[] = [];
  let offset = 0;
  while (offset + 2 <= data.length) {
    const length = data.readUInt16BE(offset);
    if (length > maxBytes) return { frames, tooLarge: true };
    if (offset + 2 + length > data.length) break;
    frames.push(data.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  return { frames, tooLarge: false };
}

function validStream(random: () => number): Buffer {
  const count = randomInt(random, 5);
  return Buffer.concat(Array.from({ length: count }, () => encodeFrame(randomBuffer(random, [0, 1, 2, 16, randomInt(random, 300)][randomInt(random, 5)]!))));
}

describe('FrameDecoder fuzz', () => {
  it(`${CASES} random and mutated inputs: same frames as the reference, FRAME_TOO_LARGE the only error`, () => {
    const random = seededRandom(0x5eed_f4a3);
    const heapBefore = process.memoryUsage().heapUsed;
    let frameCount = 0;
    let refusals = 0;
    for (let i = 0; i < CASES; i++) {
      const kind = randomInt(random, 3);
      const data = kind === 0 ? randomBuffer(random, randomInt(random, 64)) : kind === 1 ? mutate(random, validStream(random)) : validStream(random);
      const maxBytes = [0, 1, 32, 255, 512, 0xffff][randomInt(random, 6)]!;
      const expected = referenceParse(data, maxBytes);
      const decoder = new FrameDecoder(maxBytes);
      const got: Buffer[] = [];
      let error: unknown;
      try {
        for (const chunk of randomChunks(random, data)) got.push(...decoder.push(chunk));
      } catch (caught) {
        error = caught;
      }
      if (expected.tooLarge !== (error !== undefined) || (error && (error as SwarmError).code !== 'FRAME_TOO_LARGE')) {
        throw new Error(`case ${i}: expected tooLarge=${expected.tooLarge}, got ${String(error)} for ${data.toString('hex')} (max ${maxBytes})`);
      }
      // On a refusal, frames completed earlier in the same chunk are dropped with it: a prefix.
      const countOk = error ? got.length <= expected.frames.length : got.length === expected.frames.length;
      if (!countOk || got.some((frame, k) => !frame.equals(expected.frames[k]!) || frame.length > maxBytes)) {
        throw new Error(`case ${i}: frames differ for ${data.toString('hex')} (max ${maxBytes})`);
      }
      frameCount += got.length;
      if (error) refusals++;
    }
    // The fuzzer reached both outcomes often.
    expect(frameCount).toBeGreaterThan(CASES / 2);
    expect(refusals).toBeGreaterThan(CASES / 20);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
