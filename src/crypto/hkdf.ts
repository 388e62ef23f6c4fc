/**
 * HMAC-SHA256 and HKDF-SHA256 (RFC 5869) over node:crypto.
 * Noise's HKDF(chaining_key, input_key_material, n) is RFC 5869 with salt = chaining key,
 * empty info and n * 32 output bytes, so both go through `hkdfSha256`.
 */
import { createHmac } from 'node:crypto';
import { hasOneShotHash, sha256 } from './hash.js';

// Noise's HASH; re-exported so the handshake finds both of its primitives here.
export { sha256 };

export const SHA256_BYTES = 32;
/** RFC 5869 limit: at most 255 blocks of output. */
export const HKDF_SHA256_MAX_BYTES = 255 * SHA256_BYTES;


const BLOCK_BYTES = 64;
const IPAD = 0x36;
const OPAD = 0x5c;
// Past this, hashing in place beats copying the message next to the pad.
const TWO_HASH_MAX_BYTES = 1024;

/**
 * HMAC-SHA256 (RFC 2104). For short inputs (every HMAC of a Noise handshake, fifteen a side)
 * it is written out as two one-shot hashes, H(K ^ opad ‖ H(K ^ ipad ‖ message)): node's Hmac
 * object costs more to make than the four SHA-256 blocks it hashes (profile of a handshake:
 * 10% of its CPU in Hmac creation and digest).
 */
export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  let bytes = BLOCK_BYTES;
  for (const part of parts) bytes += part.length;
  if (key.length > BLOCK_BYTES || bytes > TWO_HASH_MAX_BYTES || !hasOneShotHash) {
    const mac = createHmac('sha256', key);
    for (const part of parts) mac.update(part);
    return mac.digest();
  }
  // Scratch reused by every call (hashing is synchronous): fresh buffers per HMAC drained
  // node's 8 KiB allocation pool every ~50 HMACs (4% of a handshake's CPU, profiled).
  const inner = innerScratch;
  const outer = outerScratch;
  writePads(key, inner, outer);
  let offset = BLOCK_BYTES;
  for (const part of parts) {
    inner.set(part, offset);
    offset += part.length;
  }
  sha256(inner.subarray(0, bytes)).copy(outer, BLOCK_BYTES);
  return sha256(outer);
}
const innerScratch = Buffer.alloc(TWO_HASH_MAX_BYTES);
const outerScratch = Buffer.alloc(BLOCK_BYTES + SHA256_BYTES);

/** K ^ ipad and K ^ opad (a key of at most one block, zero-padded) into the first block of each. */
function writePads(key: Uint8Array, inner: Buffer, outer: Buffer): void {
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const byte = i < key.length ? key[i]! : 0;
    inner[i] = byte ^ IPAD;
    outer[i] = byte ^ OPAD;
  }
}

// The fixed-key tag check (mac1) is SHA-256 written out with precomputed pads: its own module.
export { hmacTag16Checker } from './hmac-tag-check.js';

/**
 * RFC 5869 extract-and-expand, written out with HMAC: for the 64- and 96-byte outputs of
 * every Noise step this is measurably faster than crypto.hkdfSync (about 9 us vs 13 us).
 * Throws RangeError for an impossible output length.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, lengthBytes: number): Buffer {
  if (!Number.isInteger(lengthBytes) || lengthBytes < 1 || lengthBytes > HKDF_SHA256_MAX_BYTES) {
    throw new RangeError(`HKDF-SHA256 output must be 1..${HKDF_SHA256_MAX_BYTES} bytes`);
  }
  // An empty salt means a string of HashLen zeros (RFC 5869 2.2); HMAC pads short keys with zeros anyway.
  const prk = hmacSha256(salt, ikm);
  const blocks: Buffer[] = [];
  let previous: Buffer = Buffer.alloc(0);
  for (let counter = 1; counter * SHA256_BYTES < lengthBytes + SHA256_BYTES; counter++) {
    previous = hmacSha256(prk, previous, info, Buffer.of(counter));
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, lengthBytes);
}
