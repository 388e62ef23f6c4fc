/**
 * Keyed MACs and the two helpers that go with them, over node:crypto: the handshake's mac1,
 * mac2 and cookies (secure/handshake-macs.ts) are HMAC-SHA256 truncated to 16 bytes, where
 * WireGuard uses keyed BLAKE2s-128 (node:crypto has no keyed BLAKE2s).
 */
import { randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import { hmacSha256 } from './hkdf.js';

export const MAC_BYTES = 16;

/** The first 16 bytes of HMAC-SHA256(key, parts…). */
export function mac16(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  return hmacSha256(key, ...parts).subarray(0, MAC_BYTES);
}

/** Equal lengths and bytes, in time independent of where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function randomBytes(count: number): Buffer {
  return nodeRandomBytes(count);
}
