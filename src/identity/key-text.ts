/**
 * Key text: how people copy, paste and read out an Ed25519 public key.
 *
 *   "swarm1" + base32(publicKey(32) || checksum(4))   -> 64 characters
 *
 * - base32 is RFC 4648's alphabet in lower case without padding: no 0/1/8/9, so no
 *   O-vs-0 or l-vs-1 confusion; upper case is accepted as the same text.
 * - checksum = first 4 bytes of SHA-256("swarm-key-v1" || publicKey): any typo
 *   (substitution, transposition, missing or extra character) fails the checksum or
 *   the length, so a mistyped key is an error and never silently another key.
 * - The 2 unused bits of the last character must be zero, so every key has exactly
 *   one spelling.
 */
import { createHash } from 'node:crypto';
import { isAcceptablePublicKey } from '../crypto/ed25519.js';
import { errors, type KeyData } from '../errors.js';

export const KEY_TEXT_PREFIX = 'swarm1';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const PUBLIC_KEY_BYTES = 32;
const CHECKSUM_BYTES = 4;
const PAYLOAD_BYTES = PUBLIC_KEY_BYTES + CHECKSUM_BYTES;
const BODY_CHARS = Math.ceil((PAYLOAD_BYTES * 8) / 5);
export const KEY_TEXT_LENGTH = KEY_TEXT_PREFIX.length + BODY_CHARS;
const CHECKSUM_LABEL = Buffer.from('swarm-key-v1');
/** What fingerprint() prints, e.g. 25ac:d086:4211 (also with other separators people type). */
const FINGERPRINT_PATTERN = /^[0-9a-f]{4}[:\s-]?[0-9a-f]{4}[:\s-]?[0-9a-f]{4}$/;

function checksum(publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(CHECKSUM_LABEL).update(publicKey).digest().subarray(0, CHECKSUM_BYTES);
}

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Undefined when the text is not canonical base32 of exactly `byteCount` bytes. */
function base32Decode(text: string, byteCount: number): Uint8Array | undefined {
  const out = new Uint8Array(byteCount);
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      if (index >= byteCount) return undefined;
      out[index++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  const leftoverIsZero = (buffer & ((1 << bits) - 1)) === 0;
  return index === byteCount && leftoverIsZero ? out : undefined;
}

export function encodeKeyText(publicKey: Uint8Array): string {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new RangeError('a public key is 32 bytes');
  return KEY_TEXT_PREFIX + base32Encode(Buffer.concat([publicKey, checksum(publicKey)]));
}

export function decodeKeyText(text: string): Uint8Array {
  const normalized = text.trim().toLowerCase();
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  const bad = (why: string) =>
    errors.badKey(shown, why, `a key is ${KEY_TEXT_LENGTH} characters starting with "${KEY_TEXT_PREFIX}"; ask its owner to run 'swarm id' and copy it again`);
  // `swarm id` shows both; the short one is for comparing by voice, not for trusting.
  if (FINGERPRINT_PATTERN.test(normalized)) throw errors.fingerprintNotKey(shown, KEY_TEXT_PREFIX);
  if (!normalized.startsWith(KEY_TEXT_PREFIX)) return throwIt(bad(`it must start with "${KEY_TEXT_PREFIX}"`));
  if (normalized.length !== KEY_TEXT_LENGTH) {
    return throwIt(bad(`it has ${normalized.length} characters, a key has ${KEY_TEXT_LENGTH}`));
  }
  const payload = base32Decode(normalized.slice(KEY_TEXT_PREFIX.length), PAYLOAD_BYTES);
  if (!payload) return throwIt(bad('it contains characters that cannot appear in a key'));
  const publicKey = payload.subarray(0, PUBLIC_KEY_BYTES);
  if (!checksum(publicKey).equals(payload.subarray(PUBLIC_KEY_BYTES))) {
    return throwIt(bad('checksum mismatch: probably a typo'));
  }
  // A small-order or non-canonical key has no owner; trusting one would let anyone in.
  if (!isAcceptablePublicKey(publicKey)) return throwIt(bad('a weak key (small-order or non-canonical point) that no real identity has'));
  return new Uint8Array(publicKey);
}

export function isKeyText(text: string): boolean {
  try {
    decodeKeyText(text);
    return true;
  } catch {
    return false;
  }
}

/** Short, human-comparable: three groups of four hex digits of SHA-256(publicKey). */
export function fingerprint(publicKey: Uint8Array): string {
  const hex = createHash('sha256').update(publicKey).digest('hex');
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 12)}`;
}

function throwIt(error: Error): never {
  throw error;
}

/** The two ways a key is shown, as error and event data carry it. */
export function keyData(publicKey: Uint8Array): KeyData {
  return { keyText: encodeKeyText(publicKey), fingerprint: fingerprint(publicKey) };
}
