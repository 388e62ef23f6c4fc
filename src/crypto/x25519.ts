/**
 * X25519 on node:crypto with raw 32-byte keys (tweetnacl's nacl.scalarMult format).
 * An all-zero shared secret means the peer sent a low-order point; Noise and
 * Wycheproof both expect that to be refused rather than silently used.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface X25519KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export const X25519_KEY_BYTES = 32;

/** A node:crypto private key for a raw 32-byte X25519 secret (for callers that reuse it). */
export function x25519SecretKeyObject(secretKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

export function generateX25519KeyPair(): X25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const rawPublic = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const rawSecret = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return { publicKey: new Uint8Array(rawPublic), secretKey: new Uint8Array(rawSecret) };
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  const exported = createPublicKey(x25519SecretKeyObject(secretKey)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(exported.subarray(SPKI_PREFIX.length));
}

export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (secretKey.length !== X25519_KEY_BYTES || publicKey.length !== X25519_KEY_BYTES) {
    throw new RangeError('X25519 keys must be 32 bytes');
  }
  const shared = diffieHellman({ privateKey: x25519SecretKeyObject(secretKey), publicKey: publicKeyObject(publicKey) });
  if (shared.every((byte) => byte === 0)) throw new RangeError('X25519 produced an all-zero shared secret');
  return new Uint8Array(shared);
}
