import { describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { edPublicKeyToX25519, edSecretKeyToX25519 } from '../../src/crypto/box-keys.js';
import { x25519PublicKey } from '../../src/crypto/x25519.js';
import { signingKeyPairFromSeed } from '../../src/crypto/ed25519.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('Ed25519 -> X25519 conversion', () => {
  it('matches libsodium test/default/ed25519_convert (crypto_sign_ed25519_{pk,sk}_to_curve25519)', () => {
    const seed = Buffer.from('421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee', 'hex');
    const pair = signingKeyPairFromSeed(seed);
    expect(hex(edPublicKeyToX25519(pair.publicKey)!)).toBe('f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50');
    expect(hex(edSecretKeyToX25519(pair.secretKey))).toBe('8052030376d47112be7f73ed7a019293dd12ad910b654455798b4667d73de166');
  });

  it('converted secret times the base point is the converted public key (random keys, node:crypto X25519)', () => {
    for (let i = 0; i < 20; i++) {
      const pair = nacl.sign.keyPair();
      const converted = edPublicKeyToX25519(pair.publicKey)!;
      expect(hex(x25519PublicKey(edSecretKeyToX25519(pair.secretKey)))).toBe(hex(converted));
    }
  });

  it('refuses the identity point and wrong lengths', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1; // y = 1
    expect(edPublicKeyToX25519(identity)).toBeUndefined();
    expect(edPublicKeyToX25519(new Uint8Array(31))).toBeUndefined();
  });
});
