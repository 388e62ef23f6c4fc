/**
 * The shared bencode decoder after installStrictBencode(): lengths that move backwards or
 * past the end, and nesting past MAX_DEPTH, are errors instead of an endless loop (and
 * out-of-memory death) or a stack overflow; ordinary dictionaries decode as before.
 */
import bencode from 'bencode';
import { describe, expect, it } from 'vitest';
import { installStrictBencode, MAX_DEPTH } from '../../src/share/strict-bencode.js';

describe('strict bencode', () => {
  installStrictBencode();

  it.each([
    ['a negative string length inside a list (looped forever before)', 'l-3:aee'],
    ['a negative length as a dictionary key', 'd-1:ae'],
    ['a signed length', 'l+3:abce'],
    ['a length past the end', 'l99:abce'],
    ['an empty length', 'l:e'],
    ['nesting past the limit', 'l'.repeat(MAX_DEPTH + 1) + 'e'.repeat(MAX_DEPTH + 1)],
    ['very deep nesting', 'l'.repeat(100_000)],
  ])('refuses %s', (_label, text) => {
    expect(() => bencode.decode(Buffer.from(text))).toThrow();
  });

  it('decodes ordinary messages as before, and the counter recovers after a refusal', () => {
    expect(() => bencode.decode(Buffer.from('l'.repeat(MAX_DEPTH + 5)))).toThrow();
    const message = { msg_type: 1, piece: 0, total_size: 12, nested: [[['x']]] };
    const decoded = bencode.decode(bencode.encode(message));
    expect(decoded.msg_type).toBe(1);
    expect(Buffer.from(decoded.nested[0][0][0]).toString()).toBe('x');
    expect(bencode.decode(Buffer.from('l'.repeat(MAX_DEPTH) + 'e'.repeat(MAX_DEPTH)))).toBeDefined();
    expect(Buffer.from(bencode.decode(Buffer.from('0:'))).length).toBe(0);
  });
});
