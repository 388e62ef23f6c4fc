import { describe, expect, test } from 'vitest';
import { decodeKeyText, encodeKeyText, fingerprint, KEY_TEXT_LENGTH } from '../../src/identity/key-text.js';
import { SwarmError } from '../../src/errors.js';
import { signingKeyPairFromSeed } from '../../src/crypto/ed25519.js';
import { NON_CANONICAL_KEYS, SMALL_ORDER_KEYS } from '../helpers/weak-keys.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
// Real keys from fixed seeds: arbitrary 32-byte strings (all zeros, all 0xff) are weak or
// non-canonical points, which decodeKeyText refuses (see the last test).
const fixedKeys = [new Uint8Array(32), new Uint8Array(32).fill(0xff), Uint8Array.from({ length: 32 }, (_, i) => i * 7)].map((seed) => signingKeyPairFromSeed(seed).publicKey);

function decodes(text: string): boolean {
  try {
    decodeKeyText(text);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(SwarmError);
    expect((error as SwarmError).code).toBe('BAD_KEY');
    return false;
  }
}

describe('key text', () => {
  test('round-trips and has the documented shape', () => {
    for (const key of fixedKeys) {
      const text = encodeKeyText(key);
      expect(text).toMatch(/^swarm1[a-z2-7]+$/);
      expect(text).toHaveLength(KEY_TEXT_LENGTH);
      expect(Buffer.from(decodeKeyText(text))).toEqual(Buffer.from(key));
      expect(Buffer.from(decodeKeyText(`  ${text.toUpperCase()}\n`))).toEqual(Buffer.from(key));
    }
  });

  test('every single-character substitution is rejected', () => {
    for (const key of fixedKeys) {
      const text = encodeKeyText(key);
      let tried = 0;
      for (let position = 0; position < text.length; position++) {
        for (const replacement of `${ALPHABET}0189!-_ `) {
          if (replacement === text[position]) continue;
          const typo = text.slice(0, position) + replacement + text.slice(position + 1);
          expect(decodes(typo), `position ${position} -> ${replacement}`).toBe(false);
          tried++;
        }
      }
      expect(tried).toBeGreaterThan(2000);
    }
  });

  test('adjacent transpositions, deletions and insertions are rejected', () => {
    const text = encodeKeyText(fixedKeys[2]!);
    for (let position = 0; position < text.length; position++) {
      const deleted = text.slice(0, position) + text.slice(position + 1);
      expect(decodes(deleted)).toBe(false);
      expect(decodes(text.slice(0, position) + 'a' + text.slice(position))).toBe(false);
      if (position + 1 < text.length && text[position] !== text[position + 1]) {
        const swapped = text.slice(0, position) + text[position + 1] + text[position] + text.slice(position + 2);
        expect(decodes(swapped), `swap at ${position}`).toBe(false);
      }
    }
  });

  test('errors say what is wrong and what to do', () => {
    expect(() => decodeKeyText('hello')).toThrow(/must start with "swarm1"/);
    expect(() => decodeKeyText('swarm1abc')).toThrow(/has 9 characters/);
    try {
      decodeKeyText('swarm1abc');
    } catch (error) {
      expect((error as SwarmError).hint).toMatch(/swarm id/);
    }
  });

  test('fingerprint is short and differs between keys', () => {
    const prints = fixedKeys.map(fingerprint);
    for (const print of prints) expect(print).toMatch(/^[0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}$/);
    expect(new Set(prints).size).toBe(prints.length);
  });

  test('small-order and non-canonical keys are refused with BAD_KEY, though their text is well-formed', () => {
    for (const { hex } of [...SMALL_ORDER_KEYS, ...NON_CANONICAL_KEYS]) {
      const text = encodeKeyText(Buffer.from(hex, 'hex'));
      expect(() => decodeKeyText(text)).toThrow(/weak key/);
      expect(decodes(text)).toBe(false);
    }
  });
});
