// Wycheproof chacha20_poly1305 vectors through the wrapper swarm calls (src/crypto/aead.ts):
// every valid case must seal to the expected bytes and open back; every invalid case must be refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aeadOpen, aeadSeal } from '../../src/crypto/aead.js';

interface AeadCase { tcId: number; comment: string; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: 'valid' | 'invalid' | 'acceptable' }
const file = JSON.parse(readFileSync(new URL('../../fixtures/vectors/wycheproof-chacha20_poly1305_test.json', import.meta.url), 'utf8')) as {
  testGroups: { tests: AeadCase[] }[];
};
const cases = file.testGroups.flatMap((group) => group.tests);
const valid = cases.filter((c) => c.result === 'valid');
const invalid = cases.filter((c) => c.result === 'invalid');
const hex = (text: string) => Buffer.from(text, 'hex');

function opens(c: AeadCase): Buffer | null {
  try {
    return aeadOpen(hex(c.key), hex(c.iv), Buffer.concat([hex(c.ct), hex(c.tag)]), hex(c.aad));
  } catch {
    return null;
  }
}

describe('Wycheproof chacha20_poly1305', () => {
  it(`has the whole vector file (${cases.length} cases: ${valid.length} valid, ${invalid.length} invalid)`, () => {
    expect(valid.length + invalid.length).toBe(cases.length);
    expect(cases.length).toBe(325);
  });

  it(`accepts all ${valid.length} valid cases (seal and open)`, () => {
    const failed: number[] = [];
    for (const c of valid) {
      const sealed = aeadSeal(hex(c.key), hex(c.iv), hex(c.msg), hex(c.aad));
      const opened = opens(c);
      if (sealed.toString('hex') !== c.ct + c.tag || opened?.toString('hex') !== c.msg) failed.push(c.tcId);
    }
    expect(failed).toEqual([]);
  });

  it(`rejects all ${invalid.length} invalid cases`, () => {
    const accepted = invalid.filter((c) => opens(c) !== null).map((c) => c.tcId);
    expect(accepted).toEqual([]);
  });
});
