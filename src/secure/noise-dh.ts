/**
 * X25519 for Noise over node:crypto KeyObjects.
 *
 * Kept separate from src/crypto/x25519.ts because the handshake runs thousands of times a
 * second: a node's static key is turned into a KeyObject once and reused, and the raw
 * 32-byte forms are wrapped with fixed DER prefixes instead of going through JWK.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const DH_BYTES = 32;

// PKCS#8 and SPKI headers for an X25519 key (RFC 8410); the raw key follows.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface DhKeyPair {
  publicKey: Buffer;
  secretKey: Buffer;
  privateKeyObject: KeyObject;
}

export function dhKeyPairFromSecret(secretKey: Uint8Array): DhKeyPair {
  if (secretKey.length !== DH_BYTES) throw new RangeError('X25519 secret key must be 32 bytes');
  const privateKeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKeyObject).export({ format: 'der', type: 'spki' });
  return { publicKey: Buffer.from(spki.subarray(SPKI_PREFIX.length)), secretKey: Buffer.from(secretKey), privateKeyObject };
}

export function generateDhKeyPair(): DhKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    publicKey: Buffer.from(spki.subarray(SPKI_PREFIX.length)),
    secretKey: Buffer.from(pkcs8.subarray(PKCS8_PREFIX.length)),
    privateKeyObject: privateKey,
  };
}

/** DH(ours, theirs). Throws if the remote key is malformed or yields the all-zero secret. */
export function dh(ours: DhKeyPair, theirPublicKey: Uint8Array): Buffer {
  if (theirPublicKey.length !== DH_BYTES) throw new RangeError('X25519 public key must be 32 bytes');
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, theirPublicKey]), format: 'der', type: 'spki' });
  // OpenSSL refuses a low-order point (all-zero shared secret) by throwing, which aborts the handshake.
  return diffieHellman({ privateKey: ours.privateKeyObject, publicKey });
}
