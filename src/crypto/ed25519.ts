/**
 * Ed25519 with tweetnacl's key formats (32-byte public key, 64-byte secret key =
 * seed || public key) but node:crypto doing the work: node is ~50x faster at
 * verifying, which matters when a chat node verifies every relayed message.
 * test/crypto/ed25519.test.ts proves the two agree both ways.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';

export interface SigningKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

// DER prefixes that turn raw 32-byte Ed25519 keys into PKCS#8 / SPKI for node:crypto.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SECRET_KEY_BYTES = 64;
export const ED25519_SIGNATURE_BYTES = 64;

export function generateSigningKeyPair(): SigningKeyPair {
  const pair = nacl.sign.keyPair();
  return { publicKey: pair.publicKey, secretKey: pair.secretKey };
}

/** Natively: tweetnacl's fromSeed (a scalar multiplication in JS) cost ~90 ms CPU per process start. */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  if (seed.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  const secretKey = new Uint8Array(ED25519_SECRET_KEY_BYTES);
  secretKey.set(seed);
  secretKey.set(publicKey, 32);
  return { publicKey, secretKey };
}

// Key objects are cached because building them costs more than a verify.
const publicKeyCache = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_LIMIT = 4096;

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = publicKeyCache.get(id);
  if (!key) {
    // Checked here so the check is cached with the key object (verify() catches the throw).
    if (!isAcceptablePublicKey(publicKey)) throw new RangeError('weak or non-canonical Ed25519 public key');
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeyCache.clear();
    publicKeyCache.set(id, key);
  }
  return key;
}

const secretKeyCache = new WeakMap<Uint8Array, KeyObject>();

function secretKeyObject(secretKey: Uint8Array): KeyObject {
  let key = secretKeyCache.get(secretKey);
  if (!key) {
    const seed = secretKey.subarray(0, 32);
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    secretKeyCache.set(secretKey, key);
  }
  return key;
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== ED25519_SECRET_KEY_BYTES) throw new RangeError('Ed25519 secret key must be 64 bytes');
  return new Uint8Array(nodeSign(null, message, secretKeyObject(secretKey)));
}

/** False for any malformed input: callers treat every failure as "not signed by that key". */
export function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  try {
    return nodeVerify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

// Curve25519 in twisted Edwards form: -x^2 + y^2 = 1 + d x^2 y^2 over GF(p), p = 2^255 - 19.
const P = 2n ** 255n - 19n;
// d = -121665/121666 and sqrt(-1) = 2^((p-1)/4) mod p, as RFC 8032 (5.1) gives them: computed
// here they cost two 255-bit BigInt exponentiations at every start of every command.
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
const SQRT_MINUS_ONE = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;

/**
 * False for any key no honest party has: not 32 bytes, a y coordinate >= p (a second
 * spelling of another key), x = 0 with the sign bit set (likewise), not a point on the
 * curve, or a point of small order (the 8 points P with [8]P = identity). A small-order
 * key has no secret behind it and, since RFC 8032 verification is cofactorless, a
 * signature under it can be forged without one: with the identity as key, R = identity
 * and S = 0 "sign" every message.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  // Cached: every key-text decode (trust-list lookups, swarm_pex) asks, and the BigInt check
  // costs ~0.5 ms; a getter asked ~200 times for the same few keys.
  const id = Buffer.from(publicKey).toString('hex');
  let isAcceptable = acceptableKeyCache.get(id);
  if (isAcceptable === undefined) {
    isAcceptable = checkPublicKey(publicKey);
    if (acceptableKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) acceptableKeyCache.clear();
    acceptableKeyCache.set(id, isAcceptable);
  }
  return isAcceptable;
}

const acceptableKeyCache = new Map<string, boolean>();

function checkPublicKey(publicKey: Uint8Array): boolean {
  const sign = publicKey[31]! >> 7;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? publicKey[i]! & 0x7f : publicKey[i]!);
  if (y >= P) return false;
  const x = recoverX(y, sign);
  if (x === undefined) return false;
  return !hasSmallOrder(x, y);
}

/** x with the given sign bit for this y, or undefined if y is on no point (or the spelling is not canonical). */
function recoverX(y: bigint, sign: number): bigint | undefined {
  // x^2 = u / v; one exponentiation gives the candidate root (RFC 8032, 5.1.3).
  const y2 = mod(y * y);
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  const v3 = mod(v * v * v);
  let x = mod(u * v3 * modPow(mod(u * v3 * v3 * v), (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 === mod(-u)) x = mod(x * SQRT_MINUS_ONE);
  else if (vx2 !== u) return undefined;
  if (x === 0n) return sign === 0 ? 0n : undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return x;
}

/** Whether [8]P is the identity: three doublings in projective coordinates (no inversions). */
function hasSmallOrder(x: bigint, y: bigint): boolean {
  let [X, Y, Z] = [x, y, 1n];
  for (let i = 0; i < 3; i++) {
    const b = mod((X + Y) * (X + Y));
    const c = mod(X * X);
    const d = mod(Y * Y);
    const f = mod(d - c);
    const j = mod(f - 2n * Z * Z);
    [X, Y, Z] = [mod((b - c - d) * j), mod(f * (-c - d)), mod(f * j)];
  }
  return X === 0n && Y === Z;
}

function mod(value: bigint): bigint {
  const r = value % P;
  return r < 0n ? r + P : r;
}

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}
