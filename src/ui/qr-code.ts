/**
 * A small QR code encoder (ISO/IEC 18004) so `swarm id --qr` can show a key without a
 * runtime dependency. It covers only what swarm needs: byte mode (UTF-8), error
 * correction level M, versions 1..10 (up to 213 bytes; a key text is 64).
 *
 * Steps, in the order the standard gives them:
 * 1. Bit stream: mode 0100, character count (8 bits, 16 from version 10), the bytes,
 *    terminator, zero bits to a byte boundary, then pad bytes 0xEC 0x11 alternately.
 * 2. Split into blocks, append Reed-Solomon error correction per block (GF(256), 0x11D),
 *    interleave data codewords, then error correction codewords.
 * 3. Draw function patterns (finders, separators, timing, alignment, dark module,
 *    version info), place the codewords in the two-column zigzag, apply each of the
 *    8 masks with its format info and keep the one with the lowest penalty.
 */
import { SwarmError } from '../errors.js';
import { maskBit, scoreQrPenalty } from './qr-mask.js';

export { scoreQrPenalty, type QrPenalty } from './qr-mask.js';

export interface QrOptions {
  /** Force a mask pattern 0..7 (for tests); by default the lowest-penalty mask is chosen. */
  mask?: number;
}

export interface QrSymbol {
  version: number;
  mask: number;
  /** modules[row][column], true = dark. */
  modules: boolean[][];
}

const MAX_VERSION = 10;

/**
 * Level M block structure per version (index = version): error correction codewords per
 * block, then [block count, data codewords per block] groups. From ISO/IEC 18004 table 9.
 */
const BLOCKS_M: readonly (readonly [number, ...(readonly [number, number])[]])[] = [
  [0],
  [10, [1, 16]],
  [16, [1, 28]],
  [26, [1, 44]],
  [18, [2, 32]],
  [24, [2, 43]],
  [16, [4, 27]],
  [18, [4, 31]],
  [22, [2, 38], [2, 39]],
  [22, [3, 36], [2, 37]],
  [26, [4, 43], [1, 44]],
];

/** Centre coordinates of alignment patterns per version (ISO/IEC 18004 annex E). */
const ALIGNMENT_CENTRES: readonly (readonly number[])[] = [
  [], [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
];

/** Level M is 00 in the format info's two error-correction bits. */
const EC_LEVEL_M_BITS = 0b00;

function dataCodewords(version: number): number {
  return BLOCKS_M[version]!.slice(1).reduce<number>((sum, group) => {
    const [count, size] = group as readonly [number, number];
    return sum + count * size;
  }, 0);
}

function countBits(version: number): number {
  return version < 10 ? 8 : 16;
}

/** Largest number of UTF-8 bytes that fits at level M in `version`. */
export function qrCapacityBytes(version: number): number {
  return Math.floor((dataCodewords(version) * 8 - 4 - countBits(version)) / 8);
}

/** Encode `text` as a QR code module matrix (true = dark). */
export function encodeQr(text: string, options: QrOptions = {}): boolean[][] {
  return encodeQrSymbol(text, options).modules;
}

export function encodeQrSymbol(text: string, options: QrOptions = {}): QrSymbol {
  const { mask } = options;
  if (mask !== undefined && !(Number.isInteger(mask) && mask >= 0 && mask <= 7)) {
    throw new RangeError(`QR mask must be an integer 0..7, got ${mask}`);
  }
  const bytes = new TextEncoder().encode(text);
  let version = 1;
  while (version <= MAX_VERSION && bytes.length > qrCapacityBytes(version)) version++;
  if (version > MAX_VERSION) {
    throw new SwarmError('QR_TOO_LONG', `text is too long for a QR code (${bytes.length} bytes, at most ${qrCapacityBytes(MAX_VERSION)})`, {
      hint: 'print the text instead of a QR code',
    });
  }
  const codewords = addErrorCorrection(buildDataCodewords(bytes, version), version);
  const grid = new Grid(version);
  grid.placeCodewords(codewords);
  const candidates = mask === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [mask];
  let best: QrSymbol | undefined;
  let bestPenalty = Infinity;
  for (const candidate of candidates) {
    const modules = grid.finish(candidate);
    const penalty = candidates.length === 1 ? 0 : scoreQrPenalty(modules).total;
    // Strictly lower keeps the lowest-numbered mask on ties, as reference encoders do.
    if (penalty < bestPenalty) {
      bestPenalty = penalty;
      best = { version, mask: candidate, modules };
    }
  }
  return best!;
}

function buildDataCodewords(bytes: Uint8Array, version: number): Uint8Array {
  const capacityBits = dataCodewords(version) * 8;
  const bits: number[] = [];
  const push = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  push(0b0100, 4);
  push(bytes.length, countBits(version));
  for (const byte of bytes) push(byte, 8);
  push(0, Math.min(4, capacityBits - bits.length));
  push(0, (8 - (bits.length % 8)) % 8);
  for (let pad = 0xec; bits.length < capacityBits; pad ^= 0xec ^ 0x11) push(pad, 8);
  const out = new Uint8Array(bits.length / 8);
  bits.forEach((bit, i) => (out[i >>> 3]! |= bit << (7 - (i & 7))));
  return out;
}

// GF(256) with the QR field polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x = (x << 1) ^ (x & 0x80 ? 0x11d : 0);
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
const gfMul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);

/** Coefficients (highest degree first, leading 1 omitted) of prod (x - a^i), i < degree. */
function generatorPolynomial(degree: number): Uint8Array {
  let poly = [1];
  for (let i = 0; i < degree; i++) {
    const next = new Array<number>(poly.length + 1).fill(0);
    poly.forEach((c, j) => {
      next[j]! ^= c;
      next[j + 1]! ^= gfMul(c, EXP[i]!);
    });
    poly = next;
  }
  return Uint8Array.from(poly.slice(1));
}

function reedSolomonRemainder(data: Uint8Array, generator: Uint8Array): Uint8Array {
  const remainder = new Uint8Array(generator.length);
  for (const byte of data) {
    const factor = byte ^ remainder[0]!;
    remainder.copyWithin(0, 1);
    remainder[remainder.length - 1] = 0;
    for (let i = 0; i < generator.length; i++) remainder[i]! ^= gfMul(generator[i]!, factor);
  }
  return remainder;
}

function addErrorCorrection(data: Uint8Array, version: number): Uint8Array {
  const [ecPerBlock, ...groups] = BLOCKS_M[version]!;
  const generator = generatorPolynomial(ecPerBlock);
  const dataBlocks: Uint8Array[] = [];
  let offset = 0;
  for (const [count, size] of groups as (readonly [number, number])[]) {
    for (let b = 0; b < count; b++, offset += size) dataBlocks.push(data.subarray(offset, offset + size));
  }
  const ecBlocks = dataBlocks.map((block) => reedSolomonRemainder(block, generator));
  const out: number[] = [];
  const longest = Math.max(...dataBlocks.map((block) => block.length));
  for (let i = 0; i < longest; i++) for (const block of dataBlocks) if (i < block.length) out.push(block[i]!);
  for (let i = 0; i < ecPerBlock; i++) for (const block of ecBlocks) out.push(block[i]!);
  return Uint8Array.from(out);
}

/** BCH code: `value` followed by the remainder of value * x^(degree of poly) mod poly. */
function bchEncode(value: number, poly: number): number {
  const degree = 31 - Math.clz32(poly);
  let remainder = value << degree;
  for (let bit = 31 - Math.clz32(remainder); bit >= degree; bit--) {
    if ((remainder >>> bit) & 1) remainder ^= poly << (bit - degree);
  }
  return (value << degree) | remainder;
}

/** The symbol under construction: unmasked modules plus which ones are function patterns. */
class Grid {
  readonly size: number;
  private readonly modules: boolean[][];
  private readonly isFunction: boolean[][];

  constructor(private readonly version: number) {
    this.size = version * 4 + 17;
    this.modules = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.isFunction = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.drawFunctionPatterns();
  }

  private set(row: number, col: number, isDark: boolean): void {
    this.modules[row]![col] = isDark;
    this.isFunction[row]![col] = true;
  }

  private drawFunctionPatterns(): void {
    const last = this.size - 1;
    for (let i = 0; i < this.size; i++) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    // Finder patterns with their light separators (rings at distance 2 and 4 are light).
    for (const [centreRow, centreCol] of [[3, 3], [3, last - 3], [last - 3, 3]] as const) {
      for (let dr = -4; dr <= 4; dr++) {
        for (let dc = -4; dc <= 4; dc++) {
          const row = centreRow + dr;
          const col = centreCol + dc;
          const ring = Math.max(Math.abs(dr), Math.abs(dc));
          if (row >= 0 && row < this.size && col >= 0 && col < this.size) this.set(row, col, ring !== 2 && ring !== 4);
        }
      }
    }
    const centres = ALIGNMENT_CENTRES[this.version]!;
    const lastCentre = centres.length - 1;
    centres.forEach((row, i) => {
      centres.forEach((col, j) => {
        // The three corner positions would overlap the finder patterns.
        if ((i === 0 && (j === 0 || j === lastCentre)) || (i === lastCentre && j === 0)) return;
        for (let dr = -2; dr <= 2; dr++) {
          for (let dc = -2; dc <= 2; dc++) this.set(row + dr, col + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
        }
      });
    });
    this.drawFormatInfo(0); // Reserves the format areas (and the dark module) before data placement.
    if (this.version >= 7) {
      const bits = bchEncode(this.version, 0x1f25);
      for (let i = 0; i < 18; i++) {
        const isDark = ((bits >>> i) & 1) === 1;
        const a = last - 10 + (i % 3);
        const b = Math.floor(i / 3);
        this.set(b, a, isDark); // Top-right block.
        this.set(a, b, isDark); // Bottom-left block.
      }
    }
  }

  private drawFormatInfo(mask: number): void {
    const bits = bchEncode((EC_LEVEL_M_BITS << 3) | mask, 0x537) ^ 0x5412;
    const bit = (i: number) => ((bits >>> i) & 1) === 1;
    const last = this.size - 1;
    // First copy, around the top-left finder (skipping the timing row and column).
    for (let i = 0; i <= 5; i++) this.set(i, 8, bit(i));
    this.set(7, 8, bit(6));
    this.set(8, 8, bit(7));
    this.set(8, 7, bit(8));
    for (let i = 9; i < 15; i++) this.set(8, 14 - i, bit(i));
    // Second copy, split between the top-right and bottom-left finders.
    for (let i = 0; i < 8; i++) this.set(8, last - i, bit(i));
    for (let i = 8; i < 15; i++) this.set(last - 14 + i, 8, bit(i));
    this.set(last - 7, 8, true); // The dark module, always dark.
  }

  /** Zigzag placement: two-column strips from the right, alternately upward and downward. */
  placeCodewords(codewords: Uint8Array): void {
    let bitIndex = 0;
    for (let right = this.size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5; // The vertical timing column is skipped entirely.
      const isUpward = ((right + 1) & 2) === 0;
      for (let step = 0; step < this.size; step++) {
        const row = isUpward ? this.size - 1 - step : step;
        for (const col of [right, right - 1]) {
          if (this.isFunction[row]![col]) continue;
          // Remainder bits past the last codeword stay light (zero), as the standard says.
          if (bitIndex < codewords.length * 8) {
            this.modules[row]![col] = ((codewords[bitIndex >>> 3]! >>> (7 - (bitIndex & 7))) & 1) === 1;
          }
          bitIndex++;
        }
      }
    }
  }

  /** A masked copy with the format info for `mask`; the grid itself is left unmasked. */
  finish(mask: number): boolean[][] {
    this.drawFormatInfo(mask);
    return this.modules.map((line, row) =>
      line.map((isDark, col) => (this.isFunction[row]![col] ? isDark : isDark !== maskBit(mask, row, col))),
    );
  }
}
