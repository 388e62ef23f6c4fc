// Fuzz: 100,000 random and mutated handshake openings (preamble, message 1, message 3)
// delivered in random chunks to a HandshakeReader, then the connection ends. Reads either
// return exactly what a reference parser finds or fail with FRAME_TOO_LARGE or
// CONNECTION_CLOSED; nothing else is thrown, and every read settles.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SwarmError } from '../../src/errors.js';
import { encodeFrame } from '../../src/secure/frame-codec.js';
import { HandshakeReader } from '../../src/secure/handshake-reader.js';
import { encodePreamble, PREAMBLE_BYTES } from '../../src/secure/preamble.js';
// The reader's frame cap as v1 handshakes used it (v2 messages are fixed-size; the reader is generic).
const MAX_HANDSHAKE_FRAME_BYTES = 512;
import { mutate, randomBuffer, randomChunks, randomInt, seededRandom } from '../helpers/fuzz.js';

const CASES = 100_000;

/** Just enough of a socket for HandshakeReader: 'data', 'end', pause. */
class ByteSource extends EventEmitter {
  pause(): this {
    return this;
  }
}

type Outcome = { preamble?: Buffer; frames: Buffer[]; error?: string };

function reference(data: Buffer): Outcome {
  if (data.length < PREAMBLE_BYTES) return { frames: [], error: 'CONNECTION_CLOSED' };
  const outcome: Outcome = { preamble: data.subarray(0, PREAMBLE_BYTES), frames: [] };
  let offset = PREAMBLE_BYTES;
  for (let k = 0; k < 2; k++) {
    if (offset + 2 > data.length) return { ...outcome, error: 'CONNECTION_CLOSED' };
    const length = data.readUInt16BE(offset);
    if (length > MAX_HANDSHAKE_FRAME_BYTES) return { ...outcome, error: 'FRAME_TOO_LARGE' };
    if (offset + 2 + length > data.length) return { ...outcome, error: 'CONNECTION_CLOSED' };
    outcome.frames.push(data.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  return outcome;
}

async function run(chunks: Buffer[]): Promise<Outcome> {
  const source = new ByteSource();
  const reader = new HandshakeReader(source as unknown as Duplex);
  const outcome: Outcome = { frames: [] };
  const reading = (async () => {
    outcome.preamble = await reader.readExactly(PREAMBLE_BYTES);
    for (let k = 0; k < 2; k++) outcome.frames.push(await reader.readFrame(MAX_HANDSHAKE_FRAME_BYTES));
  })().catch((error: unknown) => {
    if (!(error instanceof SwarmError)) throw error;
    outcome.error = error.code;
  });
  for (const chunk of chunks) {
    source.emit('data', chunk);
    await Promise.resolve();
  }
  source.emit('end');
  await reading;
  reader.detach();
  return outcome;
}

function validOpening(random: () => number): Buffer {
  return Buffer.concat([encodePreamble(), encodeFrame(randomBuffer(random, 32)), encodeFrame(randomBuffer(random, [160, 0, 512, 513][randomInt(random, 4)]!))]);
}

describe('HandshakeReader fuzz', () => {
  it(`${CASES} random and mutated openings: reference results, only FRAME_TOO_LARGE / CONNECTION_CLOSED`, async () => {
    const random = seededRandom(0x0dd_ba11);
    const heapBefore = process.memoryUsage().heapUsed;
    const seen = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const kind = randomInt(random, 3);
      const data = kind === 0 ? randomBuffer(random, randomInt(random, 48)) : kind === 1 ? mutate(random, validOpening(random)) : validOpening(random);
      const expected = reference(data);
      const got = await run(randomChunks(random, data));
      const same =
        got.error === expected.error &&
        (got.preamble?.equals(expected.preamble ?? Buffer.alloc(0)) ?? expected.preamble === undefined) &&
        got.frames.length === expected.frames.length &&
        got.frames.every((frame, k) => frame.equals(expected.frames[k]!));
      if (!same) throw new Error(`case ${i}: got ${JSON.stringify(got.error)} / ${got.frames.length} frames, expected ${JSON.stringify(expected.error)} / ${expected.frames.length} for ${data.toString('hex')}`);
      const label = got.error ?? 'ok';
      seen.set(label, (seen.get(label) ?? 0) + 1);
    }
    for (const label of ['ok', 'FRAME_TOO_LARGE', 'CONNECTION_CLOSED']) expect(seen.get(label) ?? 0).toBeGreaterThan(CASES / 50);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
