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
