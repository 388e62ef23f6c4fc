import { describe, expect, test } from 'vitest';
import nacl from 'tweetnacl';
import { generateX25519KeyPair, x25519, x25519PublicKey } from '../../src/crypto/x25519.js';
import { hex, loadVectors } from '../helpers/vectors.js';

interface XdhFile {
  testGroups: { tests: { tcId: number; public: string; private: string; shared: string; result: 'valid' | 'acceptable' | 'invalid'; flags: string[] }[] }[];
}

function tryX25519(secret: Uint8Array, pub: Uint8Array): Uint8Array | undefined {
  try {
    return x25519(secret, pub);
  } catch {
    return undefined;
  }
}

describe('x25519 wrapper (node:crypto) is byte-compatible with tweetnacl', () => {
  test('keys and shared secrets agree with nacl.scalarMult', () => {
    for (let round = 0; round < 20; round++) {
      const alice = generateX25519KeyPair();
      const bob = nacl.box.keyPair();
      expect(Buffer.from(nacl.scalarMult.base(alice.secretKey))).toEqual(Buffer.from(alice.publicKey));
      expect(Buffer.from(x25519PublicKey(bob.secretKey))).toEqual(Buffer.from(bob.publicKey));
      expect(Buffer.from(x25519(alice.secretKey, bob.publicKey))).toEqual(Buffer.from(nacl.scalarMult(bob.secretKey, alice.publicKey)));
    }
  });
});

describe('Wycheproof x25519 vectors through x25519()', () => {
  const cases = loadVectors<XdhFile>('wycheproof-x25519_test.json').testGroups.flatMap((g) => g.tests);
  const zeroShared = cases.filter((c) => c.flags.includes('ZeroSharedSecret'));
  const computable = cases.filter((c) => !c.flags.includes('ZeroSharedSecret') && c.result !== 'invalid');

  test(`${computable.length} valid/acceptable cases give the expected shared secret`, () => {
    const wrong = computable.filter((c) => Buffer.from(tryX25519(hex(c.private), hex(c.public)) ?? []).toString('hex') !== c.shared);
    expect(wrong.map((c) => c.tcId)).toEqual([]);
    expect(computable.length).toBeGreaterThan(450);
  });

  test(`${zeroShared.length} low-order public keys (all-zero shared secret) are refused`, () => {
    const accepted = zeroShared.filter((c) => tryX25519(hex(c.private), hex(c.public)) !== undefined);
    expect(accepted.map((c) => c.tcId)).toEqual([]);
    expect(zeroShared.length).toBeGreaterThan(20);
  });

  test('no case is marked invalid (so none may silently pass as one)', () => {
    expect(cases.filter((c) => c.result === 'invalid')).toEqual([]);
  });
});
