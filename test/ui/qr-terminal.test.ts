// `swarm id --qr` rendering: the half-block text decodes back to exactly the module matrix
// that the qrcode package builds for the key bytes (byte mode, level M), with a light quiet
// zone and dark modules drawn as spaces. The format information and the first data codeword
// are read out of the decoded text by hand, so the test does not only trust qrcode about
// what it drew: error correction level M, byte mode, 64 characters.
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { QR_QUIET_ZONE_MODULES, renderQrForTerminal } from '../../src/ui/qr-terminal.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const keyText = 'swarm1' + Array.from({ length: 58 }, (_, i) => BASE32[(i * 7 + 3) % 32]).join('');

/** Half blocks back into rows of light (true) / dark (false) modules, quiet zone included. */
function decodeLight(text: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of text.split('\n')) {
    const chars = [...line];
    rows.push(chars.map((c) => c === '▀' || c === '█'));
    rows.push(chars.map((c) => c === '▄' || c === '█'));
  }
  return rows;
}

/** The symbol's own modules (true = dark), without the quiet zone. */
function symbolOf(light: boolean[][], size: number): boolean[][] {
  const q = QR_QUIET_ZONE_MODULES;
  return light.slice(q, q + size).map((row) => row.slice(q, q + size).map((isLight) => !isLight));
}

function referenceMatrix(text: string): boolean[][] {
  const { modules } = QRCode.create([{ data: new TextEncoder().encode(text), mode: 'byte' }], { errorCorrectionLevel: 'M' });
  return Array.from({ length: modules.size }, (_, row) => Array.from({ length: modules.size }, (_, col) => modules.get(row, col) === 1));
}

/** ISO/IEC 18004 mask conditions, row i, column j. */
const MASKS: ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
];

/** Format information from the copy in column 8: error correction bits and mask. */
function readFormat(symbol: boolean[][]): { level: number; mask: number } {
  const size = symbol.length;
  let bits = 0;
  for (let i = 0; i < 15; i++) {
    const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
    if (symbol[row]![8]) bits |= 1 << i;
  }
  const format = bits ^ 0x5412;
  return { level: (format >> 13) & 0b11, mask: (format >> 10) & 0b111 };
}

/** The first codeword: the 2x4 modules in the bottom-right corner, zigzag upward, unmasked. */
function firstCodeword(symbol: boolean[][], mask: number): number {
  const size = symbol.length;
  let value = 0;
  for (let bit = 0; bit < 8; bit++) {
    const row = size - 1 - Math.floor(bit / 2);
    const col = size - 1 - (bit % 2);
    value = (value << 1) | (symbol[row]![col] !== MASKS[mask]!(row, col) ? 1 : 0);
  }
  return value;
}

describe('renderQrForTerminal', async () => {
  const text = await renderQrForTerminal(keyText);
  const lines = text.split('\n');
  const expected = referenceMatrix(keyText);
  const padded = expected.length + 2 * QR_QUIET_ZONE_MODULES;

  it('draws a version-5 symbol as 21 lines of 41 half-block columns', () => {
    expect(expected.length).toBe(37);
    expect(lines).toHaveLength(21);
    for (const line of lines) {
      expect([...line]).toHaveLength(padded);
      expect(line).toMatch(/^[ ▀▄█]+$/);
    }
    expect(text.endsWith('\n')).toBe(false);
  });

  it('decodes to the key\'s module matrix, dark modules as spaces, inside a light quiet zone', () => {
    const light = decodeLight(text);
    expect(symbolOf(light, expected.length)).toEqual(expected);
    for (let row = 0; row < light.length; row++) {
      for (let col = 0; col < padded; col++) {
        const isQuiet = Math.min(row, col) < QR_QUIET_ZONE_MODULES || row >= QR_QUIET_ZONE_MODULES + expected.length || col >= QR_QUIET_ZONE_MODULES + expected.length;
        if (isQuiet) expect(light[row]![col], `quiet zone at row ${row} col ${col}`).toBe(true);
      }
    }
    expect(lines[0]).toBe('█'.repeat(padded));
    // Line 1 holds symbol rows 0 and 1: quiet, finder (dark over dark-light*5-dark), separator.
    expect([...lines[1]!].slice(0, 10).join('')).toBe('██ ▄▄▄▄▄ █');
  });

  it('carries level M and byte mode with the 64-character count, read from the drawing itself', () => {
    const symbol = symbolOf(decodeLight(text), expected.length);
    const { level, mask } = readFormat(symbol);
    expect(level).toBe(0b00); // M
    // Byte mode 0100, then the high nibble of the 8-bit count 64 (0100 0000).
    expect(firstCodeword(symbol, mask).toString(2).padStart(8, '0')).toBe('01000100');
  });

  it('draws different keys differently, and only from the UTF-8 bytes of the text', async () => {
    const other = keyText.slice(0, -1) + (keyText.endsWith('a') ? 'b' : 'a');
    expect(await renderQrForTerminal(other)).not.toBe(text);
    const digits = '1234567890';
    const symbol = symbolOf(decodeLight(await renderQrForTerminal(digits)), 21);
    // qrcode alone would pick numeric mode (0001) for digits; swarm always encodes bytes.
    expect(firstCodeword(symbol, readFormat(symbol).mask) >> 4).toBe(0b0100);
  });
});
