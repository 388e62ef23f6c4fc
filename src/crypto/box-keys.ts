// Ed25519 -> X25519 key conversion, so a direct message can be sealed (nacl.box) for a
// recipient whose only published key is the Ed25519 identity people trust. tweetnacl
// does not ship this; it is libsodium's crypto_sign_ed25519_{pk,sk}_to_curve25519.
import { sha512 } from './hash.js';

const P = 2n ** 255n - 19n;

function decodeLittleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

function encodeLittleEndian32(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  base %= P;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % P;
    base = (base * base) % P;
    exponent >>= 1n;
  }
  return result;
}

/**
 * Montgomery u of an Edwards point: u = (1 + y) / (1 - y) mod p (the birational map
 * between edwards25519 and curve25519). Returns undefined for y = 1 (the identity
 * point), which has no usable X25519 counterpart.
 */
export function edPublicKeyToX25519(edPublicKey: Uint8Array): Uint8Array | undefined {
  if (edPublicKey.length !== 32) return undefined;
  const yBytes = Uint8Array.from(edPublicKey);
  yBytes[31]! &= 0x7f; // the top bit is the sign of x, not part of y
  const y = decodeLittleEndian(yBytes) % P;
  const denominator = (1n - y + P) % P;
  if (denominator === 0n) return undefined;
  const u = ((1n + y) * modPow(denominator, P - 2n)) % P;
  return encodeLittleEndian32(u);
}

/** X25519 secret from a tweetnacl Ed25519 secret key (seed = its first 32 bytes): SHA-512(seed)[0..32], clamped. */
export function edSecretKeyToX25519(edSecretKey: Uint8Array): Uint8Array {
  const digest = sha512(edSecretKey.subarray(0, 32));
  const out = new Uint8Array(digest.subarray(0, 32));
  out[0]! &= 248;
  out[31]! &= 127;
  out[31]! |= 64;
  return out;
}
