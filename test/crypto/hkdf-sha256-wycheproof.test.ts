// Wycheproof hkdf_sha256 vectors through the wrapper swarm calls (src/crypto/hkdf.ts), which is
// also what the Noise handshake uses for HKDF: valid cases derive the expected bytes, invalid are refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hkdfSha256 } from '../../src/crypto/hkdf.js';

interface HkdfCase { tcId: number; ikm: string; salt: string; info: string; size: number; okm: string; result: 'valid' | 'invalid' | 'acceptable' }
const file = JSON.parse(readFileSync(new URL('../../fixtures/vectors/wycheproof-hkdf_sha256_test.json', import.meta.url), 'utf8')) as {
  testGroups: { tests: HkdfCase[] }[];
};
const cases = file.testGroups.flatMap((group) => group.tests);
const valid = cases.filter((c) => c.result === 'valid');
const invalid = cases.filter((c) => c.result === 'invalid');
const hex = (text: string) => Buffer.from(text, 'hex');

function derive(c: HkdfCase): string | null {
  try {
    return hkdfSha256(hex(c.ikm), hex(c.salt), hex(c.info), c.size).toString('hex');
  } catch {
    return null;
  }
}

describe('Wycheproof hkdf_sha256', () => {
  it(`has the whole vector file (${cases.length} cases: ${valid.length} valid, ${invalid.length} invalid)`, () => {
    expect(valid.length + invalid.length).toBe(cases.length);
    expect(cases.length).toBe(86);
  });

  it(`derives all ${valid.length} valid cases`, () => {
    expect(valid.filter((c) => derive(c) !== c.okm).map((c) => c.tcId)).toEqual([]);
  });

  it(`rejects all ${invalid.length} invalid cases`, () => {
    expect(invalid.filter((c) => derive(c) !== null).map((c) => c.tcId)).toEqual([]);
  });
});
