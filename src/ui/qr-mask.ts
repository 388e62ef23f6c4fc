/**
 * The eight QR data masks and the penalty score used to choose between them
 * (ISO/IEC 18004 section 7.8). Kept apart from the encoder so the scoring can be tested
 * rule by rule against another implementation.
 */

/** Penalty of a finished symbol, per rule of ISO/IEC 18004 section 7.8.3. */
export interface QrPenalty {
  runs: number;
  blocks: number;
  finderLike: number;
  balance: number;
  total: number;
}

/** Whether mask pattern `mask` (0..7) flips the module at (row, col). */
export function maskBit(mask: number, row: number, col: number): boolean {
  switch (mask) {
    case 0: return (row + col) % 2 === 0;
    case 1: return row % 2 === 0;
    case 2: return col % 3 === 0;
    case 3: return (row + col) % 3 === 0;
    case 4: return (Math.floor(row / 2) + Math.floor(col / 3)) % 2 === 0;
    case 5: return ((row * col) % 2) + ((row * col) % 3) === 0;
    case 6: return (((row * col) % 2) + ((row * col) % 3)) % 2 === 0;
    default: return (((row + col) % 2) + ((row * col) % 3)) % 2 === 0;
  }
}

/**
 * Mask penalty as in ISO/IEC 18004 section 7.8.3: runs of 5+ same-coloured modules (3 + extra
 * length), 2x2 same-coloured blocks (3 each), finder-like 1:1:3:1:1 patterns with 4 light
 * modules on one side inside the symbol (40 each), and dark proportion off 50% (10 per full
 * 5% step). The balance rule follows the standard's table: 45..55% dark scores 0. (The npm
 * `qrcode` package scores 50..55% as 10, so for a few inputs it picks a different mask.)
 */
export function scoreQrPenalty(modules: boolean[][]): QrPenalty {
  const size = modules.length;
  const at = (row: number, col: number, isColumn: boolean) => (isColumn ? modules[col]![row]! : modules[row]![col]!);
  let runs = 0;
  let finderLike = 0;
  for (const isColumn of [false, true]) {
    for (let line = 0; line < size; line++) {
      let runLength = 0;
      let window = 0;
      for (let i = 0; i < size; i++) {
        const isDark = at(line, i, isColumn);
        runLength = i > 0 && isDark === at(line, i - 1, isColumn) ? runLength + 1 : 1;
        if (runLength === 5) runs += 3;
        else if (runLength > 5) runs += 1;
        // Last 11 modules as bits: 1011101 0000 or 0000 1011101.
        window = ((window << 1) & 0x7ff) | (isDark ? 1 : 0);
        if (i >= 10 && (window === 0x5d0 || window === 0x05d)) finderLike += 40;
      }
    }
  }
  let blocks = 0;
  let dark = 0;
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const isDark = modules[row]![col]!;
      if (isDark) dark++;
      if (row + 1 < size && col + 1 < size && isDark === modules[row]![col + 1] && isDark === modules[row + 1]![col] && isDark === modules[row + 1]![col + 1]) {
        blocks += 3;
      }
    }
  }
  const total = size * size;
  // Full 5% steps away from 50%; size is odd, so the proportion is never exactly 50%.
  const balance = 10 * Math.max(0, Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1);
  return { runs, blocks, finderLike, balance, total: runs + blocks + finderLike + balance };
}
