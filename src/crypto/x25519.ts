/**
 * X25519 keys on node:crypto as raw 32 bytes (tweetnacl's nacl.scalarMult format): the
 * identity's Noise static key pair and the KeyObject that src/crypto/noise-dh.ts does its
 * Diffie-Hellman with (which also refuses the all-zero result of a low-order point).
 */
import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';

export interface X25519KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** A node:crypto private key for a raw 32-byte X25519 secret (for callers that reuse it). */
export function x25519SecretKeyObject(secretKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
}

/** From random bytes, not generateKeyPairSync (its job can deadlock node 20: noise-dh.ts generateDhKeyPair). */
export function generateX25519KeyPair(): X25519KeyPair {
  const secretKey = new Uint8Array(randomBytes(32));
  return { publicKey: x25519PublicKey(secretKey), secretKey };
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  const exported = createPublicKey(x25519SecretKeyObject(secretKey)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(exported.subarray(SPKI_PREFIX.length));
}
