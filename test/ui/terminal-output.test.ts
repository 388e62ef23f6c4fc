import { describe, expect, test } from 'vitest';
import { SwarmError } from '../../src/errors.js';
import { formatError } from '../../src/ui/report-error.js';
import { toJsonLine } from '../../src/ui/json-output.js';
import { escapeTerminal } from '../../src/ui/terminal-text.js';

// Anything a terminal could act on: C0 (ESC, BEL, CR, LF), DEL, C1 (CSI), bidi overrides.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const hostile = 'ok\u001b]0;pwned\u0007\u001b[2J\rFAKE\nsecond line\u009b31m\u202eevil\u007f';

describe('peer text never drives the terminal', () => {
  test('escapeTerminal shows every control character visibly', () => {
    const shown = escapeTerminal(hostile);
    expect(shown).not.toMatch(RAW_CONTROL);
    expect(shown).toBe('ok\\x1b]0;pwned\\x07\\x1b[2J\\rFAKE\\nsecond line\\x9b31m\\u202eevil\\x7f');
    expect(escapeTerminal('plain text, ünïcödé, 日本語')).toBe('plain text, ünïcödé, 日本語');
  });

  test('escapeTerminal shows every invisible or format character, so a name cannot pass for another', () => {
    const invisible = ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\u2062', '\u061c', '\ufeff', '\u00ad', '\u00a0', '\u3000', '\u3164', '\u115f', '\u180e', '\ufe0f', '\u{e0041}', '\u{e0100}', '\ud800', '\ue000'];
    for (const char of invisible) {
      const shown = escapeTerminal(`a${char}b`);
      expect(shown).toMatch(/^a\\(x|u)[0-9a-f{}]+b$/);
      expect(shown).not.toContain(char);
    }
    expect(escapeTerminal('a\u200bb')).toBe('a\\u200bb');
    expect(escapeTerminal('tag\u{e0041}')).toBe('tag\\u{e0041}');
    expect(escapeTerminal('soft\u00adhyphen')).toBe('soft\\xadhyphen');
    // Visible text, combining accents and emoji stay as they are.
    expect(escapeTerminal('e\u0301 café 😀 한국어 ok then')).toBe('e\u0301 café 😀 한국어 ok then');
  });

  test('an error quoting a remote refusal reason stays one escaped line', () => {
    const line = formatError(new SwarmError('REFUSED_BY_PEER', `the remote node refused: ${hostile}`, { hint: `try ${hostile}` }));
    expect(line).not.toMatch(RAW_CONTROL);
    expect(line).toMatch(/^swarm: the remote node refused: ok\\x1b.*\(hint: try ok\\x1b/);
    expect(formatError(new Error(hostile))).not.toMatch(RAW_CONTROL);
  });

  test('--json lines escape C1 and bidi characters and still parse to the same value', () => {
    const value = { event: 'message', text: hostile, name: '\u202egnp.exe' };
    const line = toJsonLine(value);
    expect(line).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(line)).toEqual(value);
  });
});
