import { describe, expect, test } from 'vitest';
import nacl from 'tweetnacl';
import { generateSigningKeyPair, sign, signingKeyPairFromSeed, verify } from '../../src/crypto/ed25519.js';
import { hex, loadVectors } from '../helpers/vectors.js';

interface EddsaFile {
  testGroups: { publicKey: { pk: string }; tests: { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' }[] }[];
}

describe('ed25519 wrapper (node:crypto) is byte-compatible with tweetnacl', () => {
  const message = new TextEncoder().encode('swarm compatibility check');

  test('signed by node:crypto, verified by tweetnacl', () => {
    for (let round = 0; round < 20; round++) {
      const pair = generateSigningKeyPair();
      const signature = sign(message, pair.secretKey);
      expect(nacl.sign.detached.verify(message, signature, pair.publicKey)).toBe(true);
      // Ed25519 is deterministic: both libraries produce the same bytes.
      expect(Buffer.from(signature)).toEqual(Buffer.from(nacl.sign.detached(message, pair.secretKey)));
    }
  });

  test('signed by tweetnacl, verified by node:crypto; tampering rejected', () => {
    for (let round = 0; round < 20; round++) {
      const pair = nacl.sign.keyPair();
      const signature = nacl.sign.detached(message, pair.secretKey);
      expect(verify(message, signature, pair.publicKey)).toBe(true);
      const tampered = Uint8Array.from(signature);
      tampered[round % 64]! ^= 1;
      expect(verify(message, tampered, pair.publicKey)).toBe(false);
      expect(verify(Uint8Array.from([...message, 0]), signature, pair.publicKey)).toBe(false);
    }
  });

  test('seed derivation matches tweetnacl', () => {
    for (const seed of [new Uint8Array(32).fill(7), new Uint8Array(32), Uint8Array.from({ length: 32 }, (_, i) => 255 - i)]) {
      const pair = signingKeyPairFromSeed(seed);
      const expected = nacl.sign.keyPair.fromSeed(seed);
      expect(Buffer.from(pair.publicKey)).toEqual(Buffer.from(expected.publicKey));
      expect(Buffer.from(pair.secretKey)).toEqual(Buffer.from(expected.secretKey));
    }
  });

  test('malformed inputs are "not valid", never an exception', () => {
    const pair = generateSigningKeyPair();
    expect(verify(message, new Uint8Array(63), pair.publicKey)).toBe(false);
    expect(verify(message, new Uint8Array(64), new Uint8Array(31))).toBe(false);
  });
});

describe('Wycheproof ed25519 vectors through verify()', () => {
  const file = loadVectors<EddsaFile>('wycheproof-ed25519_test.json');
  const cases = file.testGroups.flatMap((group) => group.tests.map((t) => ({ ...t, pk: group.publicKey.pk })));
  const valid = cases.filter((c) => c.result === 'valid');
  const invalid = cases.filter((c) => c.result === 'invalid');

  test(`all ${valid.length} valid signatures accepted`, () => {
    const failed = valid.filter((c) => !verify(hex(c.msg), hex(c.sig), hex(c.pk))).map((c) => c.tcId);
    expect(failed).toEqual([]);
    expect(valid.length).toBeGreaterThan(80);
  });

  test(`all ${invalid.length} invalid signatures rejected`, () => {
    const accepted = invalid.filter((c) => verify(hex(c.msg), hex(c.sig), hex(c.pk))).map((c) => c.tcId);
    expect(accepted).toEqual([]);
    expect(invalid.length).toBeGreaterThan(60);
  });
});
