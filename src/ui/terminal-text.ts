/**
 * Text that came from a peer (chat bodies, names, file names) must never drive the
 * terminal or hide what it says: an ANSI escape could recolour, move the cursor, rewrite
 * earlier lines or set the window title, and an invisible character (zero-width space,
 * joiners, bidi marks, BOM, soft hyphen, Hangul fillers, odd-width spaces) lets a name or
 * a line look like another one. Every such character is shown as a visible escape (\x1b,
 * \n, \u200b, \u{e0041}) instead:
 *   - Cc (C0, DEL, C1), Cf (every format character: U+200B-U+200F, U+2060-U+2064,
 *     U+061C, U+FEFF, U+00AD, bidi embeddings and isolates, tag characters), Zl, Zp, Cs
 *     (lone surrogates), Co (private use), Cn (unassigned: a later Unicode may make them
 *     invisible);
 *   - every space but U+0020 (Zs: no-break and em spaces pad lines invisibly);
 *   - invisible letters and marks: U+034F, U+115F, U+1160, U+17B4, U+17B5, U+180B-U+180F,
 *     U+3164, U+FFA0, U+2800 (braille blank), variation selectors U+FE00-U+FE0F and
 *     U+E0100-U+E01EF.
 */
const HIDDEN_CHARACTERS =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}\p{Zs}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\uffa0\u2800\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;

export function escapeTerminal(text: string): string {
  return text.replace(HIDDEN_CHARACTERS, (char) => {
    switch (char) {
      case ' ':
        return ' ';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default: {
        const code = char.codePointAt(0)!;
        if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
        return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
      }
    }
  });
}

/**
 * Columns a string takes on a terminal, counted high: East Asian wide and emoji code
 * points as 2, everything else (combining marks included) as 1. Over-counting only wraps
 * a line early; under-counting would let the terminal wrap it where we put no marker.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char.codePointAt(0)!);
  return width;
}

export function charWidth(code: number): number {
  return code >= 0x1100 && isWide(code) ? 2 : 1;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x231a && code <= 0x23ff) ||
    (code >= 0x2600 && code <= 0x27bf) ||
    (code >= 0x2b00 && code <= 0x2bff) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xa960 && code <= 0xa97f) ||
    (code >= 0xac00 && code <= 0xd7ff) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe10 && code <= 0xfe6f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x1f000
  );
}
