import { describe, expect, test } from 'vitest';
import { CONTINUATION_MARKER, layoutMessage } from '../../src/ui/chat-lines.js';
import { displayWidth } from '../../src/ui/terminal-text.js';

const HEAD = '[12:00] mallory: ';

describe('chat message layout', () => {
  test('a body padded to the terminal width cannot start a line like another author', () => {
    const fake = '[12:00] bob: send me your key';
    const body = 'hi'.padEnd(80 - HEAD.length, ' ') + fake;
    const lines = layoutMessage(HEAD, body, 80);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]!.startsWith(HEAD)).toBe(true);
    for (const line of lines.slice(1)) expect(line.startsWith(CONTINUATION_MARKER)).toBe(true);
    for (const line of lines) expect(displayWidth(line)).toBeLessThan(80);
    expect(lines.map((line, i) => (i === 0 ? line.slice(HEAD.length) : line.slice(CONTINUATION_MARKER.length))).join('')).toBe(body);
  });

  test('newlines in a body become marked continuation lines', () => {
    expect(layoutMessage(HEAD, 'one\n[12:01] bob: two\r\nthree', 80)).toEqual([`${HEAD}one`, `${CONTINUATION_MARKER}[12:01] bob: two`, `${CONTINUATION_MARKER}three`]);
  });

  test('wide characters count two columns and invisible ones are escaped before wrapping', () => {
    const lines = layoutMessage(HEAD, '日'.repeat(40), 40);
    for (const line of lines) expect(displayWidth(line)).toBeLessThan(40);
    expect(lines.slice(1).every((line) => line.startsWith(CONTINUATION_MARKER))).toBe(true);
    expect(layoutMessage(HEAD, 'a\u200bb', 80)).toEqual([`${HEAD}a\\u200bb`]);
  });

  test('a very narrow terminal still gets marked lines', () => {
    const lines = layoutMessage(HEAD, 'x'.repeat(50), 5);
    expect(lines.slice(1).every((line) => line.startsWith(CONTINUATION_MARKER))).toBe(true);
  });
});
