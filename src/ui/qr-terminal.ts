/**
 * Draws a QR module matrix as terminal text, two module rows per line with Unicode half
 * blocks, so a version-5 key code (37 modules) is 41 columns by 21 lines.
 *
 * Colours are inverted on purpose: a dark module is a space and a light module is a block.
 * Most terminals draw text light on a dark background, so a block shows as light and a space
 * as dark, which is what a scanner expects (dark modules on a light field). Printing dark
 * modules as blocks would give a light-on-dark code that many phone scanners refuse. The
 * 2-module quiet zone is drawn as blocks too, so the code sits on a light field of its own
 * rather than on the terminal background. (On a light-background terminal the code comes out
 * inverted; scanners that read inverted codes still work, and `swarm id` prints the text too.)
 * No ANSI colour codes are used, so the output survives pipes, logs and `NO_COLOR`.
 */

/** Quiet zone width in modules. The standard asks for 4; 2 scans reliably on screens. */
export const QR_QUIET_ZONE_MODULES = 2;

/** Indexed by (top is light ? 2 : 0) + (bottom is light ? 1 : 0). */
const HALF_BLOCKS = [' ', '▄', '▀', '█'] as const;

/**
 * Render `matrix` (true = dark) with a quiet zone. Returns lines joined by '\n' with no
 * trailing newline. The padded height is odd, so the last line's lower half is left as the
 * terminal background rather than adding a third quiet row.
 */
export function renderQrForTerminal(matrix: boolean[][]): string {
  const size = matrix.length;
  const padded = size + 2 * QR_QUIET_ZONE_MODULES;
  const isLight = (row: number, col: number): boolean => {
    const r = row - QR_QUIET_ZONE_MODULES;
    const c = col - QR_QUIET_ZONE_MODULES;
    if (r < 0 || r >= size || c < 0 || c >= size) return true; // Quiet zone.
    return !matrix[r]![c];
  };
  const lines: string[] = [];
  for (let top = 0; top < padded; top += 2) {
    let line = '';
    for (let col = 0; col < padded; col++) {
      const topLight = isLight(top, col);
      const bottomLight = top + 1 < padded && isLight(top + 1, col);
      line += HALF_BLOCKS[(topLight ? 2 : 0) + (bottomLight ? 1 : 0)];
    }
    lines.push(line);
  }
  return lines.join('\n');
}
