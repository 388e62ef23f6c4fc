// The short pairing code: its shape, its parser, and the entropy the docs state (24 bits).
import { describe, expect, it } from 'vitest';
import { CODE_SECRET_BITS, CODE_WORDS, authenticationWords, generatePairingCode, parsePairingCode } from '../../src/secure/pairing-code.js';
import { PGP_EVEN_WORDS, PGP_ODD_WORDS } from '../../src/secure/pgp-wordlist.js';
import { SwarmError } from '../../src/errors.js';

describe('pairing code', () => {
  it('the word list is the PGP list: 256 + 256 distinct lower-case words, none in both halves', () => {
    expect(PGP_EVEN_WORDS).toHaveLength(256);
    expect(PGP_ODD_WORDS).toHaveLength(256);
    const all = new Set([...PGP_EVEN_WORDS, ...PGP_ODD_WORDS]);
    expect(all.size).toBe(512);
    for (const word of all) expect(word).toMatch(/^[a-z]+$/);
    // Spot checks against the published list (byte 0x00, 0x3B, 0x3C, 0xFF).
    expect([PGP_EVEN_WORDS[0], PGP_ODD_WORDS[0]]).toEqual(['aardvark', 'adroitness']);
    expect([PGP_EVEN_WORDS[0x3b], PGP_ODD_WORDS[0x3c]]).toEqual(['clockwork', 'crossover']);
    expect([PGP_EVEN_WORDS[0xff], PGP_ODD_WORDS[0xff]]).toEqual(['zulu', 'yucatan']);
  });

  it('states 24 bits of secret: 3 words of 8 bits each', () => {
    expect(CODE_WORDS).toBe(3);
    expect(CODE_SECRET_BITS).toBe(24);
    expect(2 ** CODE_SECRET_BITS).toBe(PGP_ODD_WORDS.length * PGP_EVEN_WORDS.length * PGP_ODD_WORDS.length);
  });

  it('generated codes use every word position uniformly enough to carry 8 bits a word', () => {
    const samples = 4096;
    const counts = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
    const numbers = new Set<number>();
    for (let i = 0; i < samples; i++) {
      const code = generatePairingCode();
      expect(code.text).toMatch(/^\d{1,3}-[a-z]+-[a-z]+-[a-z]+$/);
      expect(parsePairingCode(code.text)).toEqual(code);
      numbers.add(code.number);
      code.words.forEach((word, position) => counts[position]!.set(word, (counts[position]!.get(word) ?? 0) + 1));
    }
    for (const [position, count] of counts.entries()) {
      const list = position % 2 === 0 ? PGP_ODD_WORDS : PGP_EVEN_WORDS;
      for (const word of count.keys()) expect(list).toContain(word);
      // Empirical Shannon entropy of each word position: 8 bits for a uniform byte; 4096
      // samples over 256 values measure about 7.95, a biased generator far less.
      let entropy = 0;
      for (const n of count.values()) entropy -= (n / samples) * Math.log2(n / samples);
      expect(entropy).toBeGreaterThan(7.85);
    }
    expect(numbers.size).toBeGreaterThan(900);
    expect(Math.max(...numbers)).toBeLessThanOrEqual(999);
  });

  it('codes announced in the DHT take a wider number (1000..65535, the u16 on the wire), LAN codes 1..999', () => {
    const wide = Array.from({ length: 2000 }, () => generatePairingCode({ isInternetWide: true }));
    for (const code of wide) {
      expect(code.number).toBeGreaterThanOrEqual(1000);
      expect(code.number).toBeLessThanOrEqual(65535);
      expect(parsePairingCode(code.text)).toEqual(code);
    }
    // Spread over the range, not stuck at one end.
    expect(new Set(wide.map((c) => Math.floor(c.number / 8192))).size).toBe(8);
  });

  it('parses loosely typed codes and refuses what is not a code', () => {
    expect(parsePairingCode('  7 Crossover-CLOCKWORK   indigo ').text).toBe('7-crossover-clockwork-indigo');
    const bad = ['', '7', '7-crossover-clockwork', '0-crossover-clockwork-indigo', '65536-crossover-clockwork-indigo', '123456-crossover-clockwork-indigo',
      'x-crossover-clockwork-indigo', '7-clockwork-crossover-indigo', '7-crossover-clockwork-indigo-aardvark', '7-crossover-clockwork-banana'];
    for (const text of bad) {
      expect(() => parsePairingCode(text), text).toThrow(SwarmError);
    }
    expect(() => parsePairingCode('7-clockwork-crossover-indigo')).toThrow(/wrong place/);
    expect(() => parsePairingCode('7-crossover-clockwork-banana')).toThrow(/not in the word list/);
  });

  it('authentication words alternate even and odd words', () => {
    expect(authenticationWords(Uint8Array.of(0x3b, 0x3c, 0xff))).toEqual(['clockwork', 'crossover', 'zulu']);
  });
});
