// Wycheproof x25519 vectors through the X25519 wrapper the Noise handshake actually calls
// (src/crypto/noise-dh.ts, JWK key import; src/crypto/x25519.ts is tested separately).
// Every valid and acceptable case gives the expected secret, except the all-zero results
// (low-order public keys), which must be refused: Noise must not mix in a known secret.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dh, dhKeyPairFromSecret } from '../../src/crypto/noise-dh.js';

interface XdhCase { tcId: number; public: string; private: string; shared: string; result: 'valid' | 'acceptable' | 'invalid'; flags: string[] }
const file = JSON.parse(readFileSync(new URL('../../fixtures/vectors/wycheproof-x25519_test.json', import.meta.url), 'utf8')) as { testGroups: { tests: XdhCase[] }[] };
const cases = file.testGroups.flatMap((group) => group.tests);
const hex = (text: string) => Buffer.from(text, 'hex');

function tryDh(c: XdhCase): string | null {
  try {
    return dh(dhKeyPairFromSecret(hex(c.private)), hex(c.public)).toString('hex');
  } catch {
    return null;
  }
}

describe('Wycheproof x25519 through noise-dh', () => {
  const zeroShared = cases.filter((c) => c.flags.includes('ZeroSharedSecret'));
  const computable = cases.filter((c) => !c.flags.includes('ZeroSharedSecret') && c.result !== 'invalid');

  it(`gives the expected secret for all ${computable.length} non-zero valid/acceptable cases (of ${cases.length})`, () => {
    expect(computable.filter((c) => tryDh(c) !== c.shared).map((c) => c.tcId)).toEqual([]);
    expect(cases).toHaveLength(518);
  });

  it(`refuses all ${zeroShared.length} cases whose shared secret is all zeros`, () => {
    expect(zeroShared.length).toBeGreaterThan(0);
    expect(zeroShared.filter((c) => tryDh(c) !== null).map((c) => c.tcId)).toEqual([]);
  });

  it('refuses a public key of the wrong length', () => {
    const c = computable[0]!;
    expect(() => dh(dhKeyPairFromSecret(hex(c.private)), hex(c.public).subarray(1))).toThrow(RangeError);
  });
});
