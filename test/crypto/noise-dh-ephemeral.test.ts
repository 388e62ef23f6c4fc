// Ephemeral X25519 keys for the handshake (crypto/noise-dh.ts generateDhKeyPair) are made
// from random bytes, not by node's key generator (which can deadlock a process on node 20:
// see the function's comment). The public key must still be the private key's: checked by
// agreement with tweetnacl, which knows nothing of node's key objects.
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { dh, dhKeyPairFromSecret, generateDhKeyPair } from '../../src/crypto/noise-dh.js';

describe('ephemeral X25519 keys', () => {
  it('each public key is its private key\'s: DH with a known key agrees with tweetnacl, and two ephemerals agree', () => {
    const known = nacl.box.keyPair();
    const ours = dhKeyPairFromSecret(known.secretKey);
    for (let i = 0; i < 50; i++) {
      const ephemeral = generateDhKeyPair();
      expect(ephemeral.publicKey).toHaveLength(32);
      const shared = dh(ephemeral, ours.publicKey);
      expect(Buffer.from(nacl.scalarMult(known.secretKey, ephemeral.publicKey)).equals(shared)).toBe(true);
      const other = generateDhKeyPair();
      expect(dh(ephemeral, other.publicKey).equals(dh(other, ephemeral.publicKey))).toBe(true);
    }
  });

  it('is fresh every time and keeps no raw secret', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateDhKeyPair().publicKey.toString('hex')));
    expect(keys.size).toBe(200);
    expect(generateDhKeyPair().secretKey).toHaveLength(0);
  });
});
