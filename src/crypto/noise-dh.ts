/**
 * X25519 for Noise over node:crypto KeyObjects.
 *
 * Kept separate from src/crypto/x25519.ts because the handshake runs thousands of times a
 * second: a node's static key is turned into a KeyObject once and reused, and keys on the
 * per-handshake path move in and out as JWK, which node 20 / OpenSSL 3 handles about ten
 * times faster than DER (measured: public key import 12 us vs 95 us, export 1 us vs 78 us).
 */
import { createPrivateKey, createPublicKey, diffieHellman, randomBytes, type KeyObject } from 'node:crypto';
import { x25519PublicKey, x25519SecretKeyObject } from './x25519.js';

export const DH_BYTES = 32;


export interface DhKeyPair {
  publicKey: Buffer;
  secretKey: Buffer;
  privateKeyObject: KeyObject;
}

export function dhKeyPairFromSecret(secretKey: Uint8Array): DhKeyPair {
  if (secretKey.length !== DH_BYTES) throw new RangeError('X25519 secret key must be 32 bytes');
  // Once per node, not per handshake: the DER path of src/crypto is fast enough here.
  const privateKeyObject = x25519SecretKeyObject(secretKey);
  return { publicKey: Buffer.from(x25519PublicKey(secretKey)), secretKey: Buffer.from(secretKey), privateKeyObject };
}

/** Node ignores `x` when it imports a private OKP key (the public key comes from `d`). */
const UNUSED_JWK_X = Buffer.alloc(DH_BYTES).toString('base64url');

/**
 * A fresh ephemeral key. Its raw secret is never needed again, so it is not kept (secretKey
 * is empty).
 *
 * Not generateKeyPairSync: on node 20 that can deadlock the process for good. The key-gen
 * job's destructor, run by a garbage collection, locks the new key's mutex, and exporting
 * that key as JWK holds the same mutex while it allocates strings, which may start that very
 * collection: one in ~400,000 handshakes froze a process (seen in bench/handshake-v2;
 * gdb: ExportJWKEdKey -> GC -> ~KeyGenJob -> mutex). A key imported from random bytes has
 * no job. Same cost: 42 us against 38.
 */
export function generateDhKeyPair(): DhKeyPair {
  const d = randomBytes(DH_BYTES).toString('base64url');
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: UNUSED_JWK_X }, format: 'jwk' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { publicKey: Buffer.from(jwk.x!, 'base64url'), secretKey: Buffer.alloc(0), privateKeyObject: privateKey };
}

// Each remote key takes part in two DH operations of a handshake: import it once.
const recentPublicKeys = new Map<string, KeyObject>();
const RECENT_PUBLIC_KEYS_LIMIT = 64;

function importPublicKey(raw: Uint8Array): KeyObject {
  const x = Buffer.from(raw).toString('base64url');
  let key = recentPublicKeys.get(x);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
    if (recentPublicKeys.size >= RECENT_PUBLIC_KEYS_LIMIT) recentPublicKeys.delete(recentPublicKeys.keys().next().value!);
    recentPublicKeys.set(x, key);
  }
  return key;
}

/** Diffie-Hellman operations done so far: tests and benchmarks check that forged handshakes cost none. */
export const dhCounter = { calls: 0 };

/** DH(ours, theirs). Throws if the remote key is malformed or yields the all-zero secret. */
export function dh(ours: DhKeyPair, theirPublicKey: Uint8Array): Buffer {
  dhCounter.calls++;
  if (theirPublicKey.length !== DH_BYTES) throw new RangeError('X25519 public key must be 32 bytes');
  const publicKey = importPublicKey(theirPublicKey);
  // OpenSSL refuses a low-order point (all-zero shared secret) by throwing, which aborts the handshake.
  return diffieHellman({ privateKey: ours.privateKeyObject, publicKey });
}
