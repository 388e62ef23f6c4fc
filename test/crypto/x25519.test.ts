import { describe, expect, test } from 'vitest';
import nacl from 'tweetnacl';
import { generateX25519KeyPair, x25519PublicKey } from '../../src/crypto/x25519.js';

// The Diffie-Hellman itself runs in src/crypto/noise-dh.ts; its Wycheproof vectors are in
// noise-dh-wycheproof.test.ts.

describe('x25519 wrapper (node:crypto) is byte-compatible with tweetnacl', () => {
  test('generated and derived public keys agree with nacl.scalarMult.base', () => {
    for (let round = 0; round < 20; round++) {
      const alice = generateX25519KeyPair();
      const bob = nacl.box.keyPair();
      expect(Buffer.from(nacl.scalarMult.base(alice.secretKey))).toEqual(Buffer.from(alice.publicKey));
      expect(Buffer.from(x25519PublicKey(bob.secretKey))).toEqual(Buffer.from(bob.publicKey));
    }
  });
});
