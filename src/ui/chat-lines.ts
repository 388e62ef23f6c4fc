/**
 * Lays out one chat message for a terminal so that no line of it can pass for the start
 * of another author's line: the body's own line breaks and every wrap at the terminal
 * width start a continuation line with CONTINUATION_MARKER, and we wrap before the
 * terminal would (its own wrap would carry no marker). The head ("[12:00] ann: ") is the
 * only text that starts a line without the marker, and only the printer writes it.
 */
import { charWidth, displayWidth, escapeTerminal } from './terminal-text.js';

export const CONTINUATION_MARKER = '  | ';
const MIN_COLUMNS = 20;

export function layoutMessage(head: string, body: string, columns: number): string[] {
  // One column short of the width: some terminals wrap when the last column is written.
  const width = Math.max(MIN_COLUMNS, Math.floor(columns) - 1);
  const lines: string[] = [];
  for (const [index, segment] of body.split(/\r\n|\n/).entries()) {
    let line = index === 0 ? head : CONTINUATION_MARKER;
    let used = displayWidth(line);
    for (const char of escapeTerminal(segment)) {
      const charColumns = charWidth(char.codePointAt(0)!);
      if (used + charColumns > width) {
        lines.push(line);
        line = CONTINUATION_MARKER;
        used = CONTINUATION_MARKER.length;
      }
      line += char;
      used += charColumns;
    }
    lines.push(line);
  }
  return lines;
}
