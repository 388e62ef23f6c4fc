/**
 * The metadata guard against 100,000+ hostile inputs from a seeded PRNG (the same run
 * every time): valid bencoded info dictionaries, then mutated bytes, spliced values,
 * extreme numbers, wrong types and deep nesting. Every input must end in an accepted
 * summary or a SwarmError; anything else (a TypeError, a RangeError, a hang) is a crash.
 */
import { createHash } from 'node:crypto';
import bencode from 'bencode';
import { describe, expect, it } from 'vitest';
import { isSwarmError } from '../../src/errors.js';
import { checkTorrentMetadata, MAX_METADATA_BYTES, type MetadataExpectations } from '../../src/share/metadata-guard.js';
import { seededRandom } from '../helpers/fuzz.js';

const ITERATIONS = 100_000;
const MAX_INPUT_BYTES = 64 * 1024;

const random = seededRandom(0x5eed);
const int = (max: number) => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

const NAME_PARTS = ['a', 'B', 'photo', 'x.txt', '.', '..', '.hidden', 'con', 'COM\u00b9', 'lpt3 .x', 'caf\u00e9', 'cafe\u0301', '\u001b', '\u202e', '/', '\\', 'a:b', ' ', 'Stra\u00dfe', '\u0000', '\ud800'];
const NUMBERS = [0, 1, -1, 12, 16383, 16384, 65536, 2 ** 24, 2 ** 24 + 1, 2 ** 31, 2 ** 40, 2 ** 40 + 1, 2 ** 50, 2 ** 53 + 2, -(2 ** 53), Number.MAX_SAFE_INTEGER];

function randomName(): string {
  return Array.from({ length: 1 + int(3) }, () => pick(NAME_PARTS)).join(random() < 0.5 ? '' : '.');
}

function randomValue(depth = 0): unknown {
  switch (depth > 3 ? int(2) : int(5)) {
    case 0: return pick(NUMBERS);
    case 1: return Buffer.from(randomName());
    case 2: return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    case 3: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['length', 'path', 'name', 'files', 'x']), randomValue(depth + 1)]));
    default: return Buffer.alloc(int(64));
  }
}

/** A valid info dictionary with a few files, as `swarm share` would build it. */
function validInfo(): Record<string, unknown> {
  const pieceLength = pick([16384, 32768, 262144]);
  const files = Array.from({ length: 1 + int(4) }, (_, i) => ({ length: int(100_000), path: [`dir${int(2)}`, `file${i}.bin`] }));
  const total = files.reduce((sum, f) => sum + f.length, 0);
  const pieces = createHash('sha1').update(String(total)).digest();
  const info: Record<string, unknown> = { name: `share${int(10)}`, 'piece length': pieceLength, pieces: Buffer.concat(Array.from({ length: Math.ceil(total / pieceLength) }, () => pieces)) };
  if (random() < 0.5) info.files = files;
  else {
    info.length = files[0]!.length;
    info.pieces = Buffer.concat(Array.from({ length: Math.ceil(files[0]!.length / pieceLength) }, () => pieces));
  }
  return info;
}

/** One structural change: a field replaced by a random value, a number made extreme, a name made hostile. */
function mutateInfo(info: Record<string, any>): void {
  const keys = ['name', 'length', 'piece length', 'pieces', 'files', 'name.utf-8'];
  switch (int(5)) {
    case 0: info[pick(keys)] = randomValue(); break;
    case 1: delete info[pick(keys)]; break;
    case 2: {
      const file: unknown = Array.isArray(info.files) ? pick(info.files) : undefined;
      if (file && typeof file === 'object' && !Array.isArray(file) && !(file instanceof Uint8Array)) {
        (file as Record<string, unknown>)[pick(['length', 'path', 'path.utf-8'])] = random() < 0.5 ? pick(NUMBERS) : [Buffer.from(randomName())];
      }
      break;
    }
    case 3: if (Array.isArray(info.files)) (info.files as unknown[]).push(random() < 0.5 ? { ...(info.files as object[])[0] } : randomValue()); break;
    default: info.name = Buffer.from(randomName());
  }
}

function mutateBytes(bytes: Uint8Array): Uint8Array {
  const out = Buffer.from(bytes);
  switch (int(5)) {
    case 0: for (let i = 0; i < 1 + int(4); i++) out[int(out.length)] = int(256); return out;
    case 1: return out.subarray(0, int(out.length));
    case 2: { const at = int(out.length); return Buffer.concat([out.subarray(0, at), Buffer.from(pick(['i-1e', 'le', 'de', '0:', '99999999:', 'i9999999999999999999999e', 'l'.repeat(5000)])), out.subarray(at)]); }
    case 3: { const at = int(out.length); return Buffer.concat([out.subarray(0, at), out.subarray(int(out.length))]); }
    default: { const digit = out.indexOf(0x31 + int(8)); if (digit >= 0) out[digit] = pick([0x2d, 0x30, 0x39, 0x65]); return out; }
  }
}

function nextInput(): { bytes: Uint8Array; expected: MetadataExpectations } {
  const info = validInfo();
  const mode = int(6);
  if (mode >= 1) for (let i = 0; i < mode % 3; i++) mutateInfo(info);
  let bytes: Uint8Array = bencode.encode(random() < 0.8 ? { info } : info);
  if (mode >= 3) bytes = mutateBytes(bytes);
  if (mode === 5 && random() < 0.01) bytes = Buffer.from('l'.repeat(int(20_000))); // deep nesting: stack overflow in the decoder
  const expected = random() < 0.3 ? { name: pick([undefined, 'share1', randomName()]), length: pick([undefined, 12, 0]), isHiddenAllowed: random() < 0.5 } : {};
  return { bytes: bytes.subarray(0, MAX_INPUT_BYTES), expected };
}

describe('metadata guard fuzz', () => {
  it(`ends every one of ${ITERATIONS} random and mutated inputs in a summary or a SwarmError`, () => {
    const crashes: string[] = [];
    let accepted = 0;
    const refusedCodes = new Set<string>();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < ITERATIONS; i++) {
      const { bytes, expected } = nextInput();
      try {
        const summary = checkTorrentMetadata(bytes, expected);
        accepted += 1;
        if (!(summary.length <= 2 ** 40) && crashes.length < 5) crashes.push(`#${i} accepted a total of ${summary.length} bytes`);
      } catch (error) {
        if (isSwarmError(error)) refusedCodes.add(error.code);
        else if (crashes.length < 5) crashes.push(`#${i} ${String(error)}: ${Buffer.from(bytes).toString('base64').slice(0, 200)}`);
      }
    }
    expect(crashes).toEqual([]);
    // The generator reaches both sides of the guard and most of its refusals.
    expect(accepted).toBeGreaterThan(ITERATIONS / 20);
    expect([...refusedCodes].sort()).toEqual(expect.arrayContaining(['BAD_METADATA', 'HIDDEN_NAME', 'NAME_MISMATCH', 'SIZE_MISMATCH', 'UNSAFE_NAME']));
    // Inputs are at most 64 KiB and nothing is kept between them: the heap must not grow with the count.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  }, 60_000);

  it('refuses metadata over the size limit before decoding it', () => {
    const huge = Buffer.alloc(MAX_METADATA_BYTES + 1, 0x6c); // "lll…": would nest 32 million deep
    expect(() => checkTorrentMetadata(huge)).toThrow(expect.objectContaining({ code: 'BAD_METADATA', message: expect.stringMatching(/too large/) }));
  });
});
