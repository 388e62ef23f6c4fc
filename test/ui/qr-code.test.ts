// The QR encoder against an independent implementation (npm `qrcode`, forced to byte mode and
// level M): same version, and the same modules bit for bit under the same mask. Plus mask
// choice, penalty scoring, the too-long error and the terminal rendering.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SwarmError } from '../../src/errors.js';
import { encodeQr, encodeQrSymbol, qrCapacityBytes, scoreQrPenalty } from '../../src/ui/qr-code.js';
import { QR_QUIET_ZONE_MODULES, renderQrForTerminal } from '../../src/ui/qr-terminal.js';

interface ReferenceSymbol {
  version: number;
  maskPattern: number;
  modules: { size: number; data: Uint8Array; get(row: number, col: number): number };
}
interface ReferencePenalty {
  getPenaltyN1(m: ReferenceSymbol['modules']): number;
  getPenaltyN2(m: ReferenceSymbol['modules']): number;
  getPenaltyN3(m: ReferenceSymbol['modules']): number;
  getPenaltyN4(m: ReferenceSymbol['modules']): number;
}
const require = createRequire(import.meta.url);
const QRCode = require('qrcode') as { create(data: unknown, options: Record<string, unknown>): ReferenceSymbol };
const referencePenalty = require('qrcode/lib/core/mask-pattern.js') as ReferencePenalty;

/** qrcode would pick numeric/alphanumeric segments on its own; swarm always uses byte mode. */
function reference(text: string, options: { version?: number; maskPattern?: number } = {}): ReferenceSymbol {
  return QRCode.create([{ data: text, mode: 'byte' }], { errorCorrectionLevel: 'M', ...options });
}

function toMatrix(symbol: ReferenceSymbol): boolean[][] {
  const { size } = symbol.modules;
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => symbol.modules.get(row, col) === 1));
}

/** The module matrix as bits for qrcode's penalty functions, which read only `size` and `get`. */
function asReferenceModules(modules: boolean[][]): ReferenceSymbol['modules'] {
  const data = Uint8Array.from(modules.flat(), (isDark) => (isDark ? 1 : 0));
  return { size: modules.length, data, get: (row, col) => data[row * modules.length + col]! };
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const keyText = 'swarm1' + Array.from({ length: 58 }, (_, i) => BASE32[(i * 7 + 3) % 32]).join('');
const long = 'The quick brown fox jumps over the lazy dog, and then some more words to need version seven+.';
const inputs: [string, string][] = [
  ['a 64-char key text', keyText],
  ['one byte', 'a'],
  ['short', 'hello world'],
  ['upper-case digits (qrcode would pick alphanumeric mode)', 'HELLO 123'],
  ['multi-byte UTF-8', 'héllo ✓ 日本語 🐝'],
  ['needs version 7', long + long.slice(0, 20)],
  ['needs version 10', 'x'.repeat(qrCapacityBytes(10))],
];

describe('encodeQr against the qrcode package', () => {
  it('uses the UTF-8 byte length and the level-M capacities of ISO 18004', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(qrCapacityBytes)).toEqual([14, 26, 42, 62, 84, 106, 122, 152, 180, 213]);
  });

  it.each(inputs)('%s: same version, and same modules for every forced mask', (_name, text) => {
    const ours = encodeQrSymbol(text);
    expect(ours.version).toBe(reference(text).version);
    expect(ours.modules.length).toBe(ours.version * 4 + 17);
    for (let mask = 0; mask < 8; mask++) {
      const expected = toMatrix(reference(text, { version: ours.version, maskPattern: mask }));
      expect(encodeQr(text, { mask }), `mask ${mask}`).toEqual(expected);
    }
  });

  it('a 64-char key text needs version 5; long inputs reach versions 7 and 10', () => {
    expect(encodeQrSymbol(keyText).version).toBe(5);
    expect(encodeQrSymbol(inputs[5]![1]).version).toBe(7);
    expect(encodeQrSymbol(inputs[6]![1]).version).toBe(10);
  });

  it('picks the smallest version at every capacity boundary', () => {
    for (let version = 1; version <= 10; version++) {
      const atCapacity = 'z'.repeat(qrCapacityBytes(version));
      expect(encodeQrSymbol(atCapacity).version).toBe(version);
      expect(reference(atCapacity).version).toBe(version);
      if (version < 10) expect(encodeQrSymbol(atCapacity + 'z').version).toBe(version + 1);
    }
  });

  it.each(inputs)('%s: chosen mask has the lowest penalty; rules 1-3 score as qrcode does', (_name, text) => {
    const chosen = encodeQrSymbol(text);
    const penalties = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => scoreQrPenalty(encodeQr(text, { mask })));
    expect(penalties[chosen.mask]!.total).toBe(Math.min(...penalties.map((p) => p.total)));
    expect(penalties.findIndex((p) => p.total === penalties[chosen.mask]!.total)).toBe(chosen.mask);
    penalties.forEach((penalty, mask) => {
      const modules = asReferenceModules(encodeQr(text, { mask }));
      expect(penalty.runs, `mask ${mask} runs`).toBe(referencePenalty.getPenaltyN1(modules));
      expect(penalty.blocks, `mask ${mask} blocks`).toBe(referencePenalty.getPenaltyN2(modules));
      expect(penalty.finderLike, `mask ${mask} finder-like`).toBe(referencePenalty.getPenaltyN3(modules));
    });
    // qrcode scores the dark/light balance differently for 50..55% dark (see scoreQrPenalty).
    // Its automatic choice must be exactly the minimum of our rules 1-3 plus its balance rule;
    // the two choices may then differ, in which case both must at least be valid masks.
    const theirBalance = penalties.map((_, mask) => referencePenalty.getPenaltyN4(asReferenceModules(encodeQr(text, { mask }))));
    const theirTotals = penalties.map((p, mask) => p.runs + p.blocks + p.finderLike + theirBalance[mask]!);
    const theirs = reference(text).maskPattern;
    expect(theirs).toBe(theirTotals.indexOf(Math.min(...theirTotals)));
    if (chosen.mask !== theirs) {
      expect([chosen.mask, theirs].every((mask) => Number.isInteger(mask) && mask >= 0 && mask <= 7)).toBe(true);
    }
  });

  it('the automatic mask choice matches qrcode for all these inputs', () => {
    // Deterministic: for these inputs the balance-rule difference does not change the winner.
    expect(inputs.map(([, text]) => encodeQrSymbol(text).mask)).toEqual(inputs.map(([, text]) => reference(text).maskPattern));
  });

  it('scores the balance rule by the standard table (45..55% dark scores 0)', () => {
    const withDark = (count: number) => {
      const size = 21;
      return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => row * size + col < count));
    };
    const total = 21 * 21;
    expect(scoreQrPenalty(withDark(Math.floor(total * 0.54))).balance).toBe(0);
    expect(scoreQrPenalty(withDark(Math.ceil(total * 0.46))).balance).toBe(0);
    expect(scoreQrPenalty(withDark(Math.ceil(total * 0.56))).balance).toBe(10);
    expect(scoreQrPenalty(withDark(Math.floor(total * 0.44))).balance).toBe(10);
    expect(scoreQrPenalty(withDark(0)).balance).toBe(90);
  });

  it('rejects text longer than version 10 holds with QR_TOO_LONG and a hint', () => {
    const tooLong = 'x'.repeat(qrCapacityBytes(10) + 1);
    expect(() => encodeQr(tooLong)).toThrow(SwarmError);
    try {
      encodeQr(tooLong);
    } catch (error) {
      expect((error as SwarmError).code).toBe('QR_TOO_LONG');
      expect((error as SwarmError).hint).toBeTruthy();
      expect((error as SwarmError).message).toContain('214 bytes');
    }
    // Multi-byte characters count by UTF-8 bytes: 72 three-byte characters are 216 bytes.
    expect(() => encodeQr('✓'.repeat(72))).toThrow(/too long/);
  });

  it('rejects a forced mask outside 0..7', () => {
    expect(() => encodeQr('a', { mask: 8 })).toThrow(RangeError);
    expect(() => encodeQr('a', { mask: 1.5 })).toThrow(RangeError);
  });
});

describe('renderQrForTerminal', () => {
  const matrix = encodeQr(keyText);
  const padded = matrix.length + 2 * QR_QUIET_ZONE_MODULES;
  const lines = renderQrForTerminal(matrix).split('\n');

  /** Decode the half blocks back into rows of light (true) / dark (false) modules. */
  function decode(): boolean[][] {
    const rows: boolean[][] = [];
    for (const line of lines) {
      const chars = [...line];
      rows.push(chars.map((c) => c === '▀' || c === '█'));
      rows.push(chars.map((c) => c === '▄' || c === '█'));
    }
    return rows.slice(0, padded);
  }

  it('is two module rows per line, one column per module, with only half blocks', () => {
    expect(lines).toHaveLength(Math.ceil(padded / 2));
    for (const line of lines) {
      expect([...line]).toHaveLength(padded);
      expect(line).toMatch(/^[ ▀▄█]+$/);
    }
  });

  it('draws a light 2-module quiet zone and dark modules as spaces (inverse video)', () => {
    const light = decode();
    for (let row = 0; row < padded; row++) {
      for (let col = 0; col < padded; col++) {
        const r = row - QR_QUIET_ZONE_MODULES;
        const c = col - QR_QUIET_ZONE_MODULES;
        const isQuiet = r < 0 || c < 0 || r >= matrix.length || c >= matrix.length;
        expect(light[row]![col], `row ${row} col ${col}`).toBe(isQuiet ? true : !matrix[r]![c]);
      }
    }
    // The top quiet rows are full blocks; the odd last line has only its upper half drawn.
    expect(lines[0]).toBe('█'.repeat(padded));
    expect(lines[lines.length - 1]).toBe('▀'.repeat(padded));
  });

  it('renders the top-left finder pattern as expected', () => {
    // Line 1 holds matrix rows 0 and 1: quiet, finder (all dark over dark-light*5-dark), separator.
    expect([...lines[1]!].slice(0, 10).join('')).toBe('██ ▄▄▄▄▄ █');
  });
});
