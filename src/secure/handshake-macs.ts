/**
 * mac1, mac2 and the cookie reply of handshake v2, WireGuard's construction (whitepaper
 * §5.4.4 and §5.4.7) with HMAC-SHA256 for keyed BLAKE2s and ChaCha20-Poly1305 with a random
 * 96-bit nonce for XChaCha20-Poly1305:
 *
 *   mac1 = MAC(HASH("mac1----" ‖ K_r), message 1 bytes 0..275)   anyone who knows K_r can make it
 *   mac2 = MAC(cookie, message 1 bytes 0..291)                   proves a cookie from K_r's node
 *   cookie = MAC(R, "<ip>:<port>"), R random, replaced every 120 s (mac2 is checked
 *            against the current R and the one before it)
 *   cookie reply = 0x03 ‖ nonce (12) ‖ AEAD(HASH("cookie--" ‖ K_r), nonce, cookie, ad = mac1)
 *
 * A responder checks mac1 before any Diffie-Hellman, so a message 1 from someone who does not
 * know its key costs it one HMAC.
 */
import { aeadOpen, aeadSeal } from '../crypto/aead.js';
import { sha256 } from '../crypto/hash.js';
import { hmacTag16Checker } from '../crypto/hkdf.js';
import { constantTimeEqual, mac16, MAC_BYTES, randomBytes } from '../crypto/mac.js';
import { COOKIE_REPLY_BYTES, MAC1_OFFSET, MAC2_OFFSET, TYPE_COOKIE_REPLY } from './handshake-wire.js';

const MAC1_LABEL = Buffer.from('mac1----', 'ascii');
const COOKIE_LABEL = Buffer.from('cookie--', 'ascii');
const COOKIE_NONCE_BYTES = 12;
export const COOKIE_SECRET_MAX_AGE_MS = 120_000;
const ZERO_MAC = Buffer.alloc(MAC_BYTES);

// Both keys depend only on K_r: computed once per key (bounded, as a node dials few keys).
const keyCache = new Map<string, { mac1Key: Buffer; cookieKey: Buffer }>();
const KEY_CACHE_LIMIT = 1024;

function keysFor(responderKey: Uint8Array): { mac1Key: Buffer; cookieKey: Buffer } {
  const id = Buffer.from(responderKey).toString('base64');
  let keys = keyCache.get(id);
  if (!keys) {
    keys = { mac1Key: sha256(MAC1_LABEL, responderKey), cookieKey: sha256(COOKIE_LABEL, responderKey) };
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, keys);
  }
  return keys;
}

/** Writes mac1 and mac2 (zero without a cookie) into a 307-byte message 1 in place. */
export function stampMacs(message: Buffer, responderKey: Uint8Array, cookie?: Uint8Array): void {
  mac16(keysFor(responderKey).mac1Key, message.subarray(0, MAC1_OFFSET)).copy(message, MAC1_OFFSET);
  (cookie ? mac16(cookie, message.subarray(0, MAC2_OFFSET)) : ZERO_MAC).copy(message, MAC2_OFFSET);
}

export function hasValidMac1(message: Uint8Array, responderKey: Uint8Array): boolean {
  const expected = mac16(keysFor(responderKey).mac1Key, message.subarray(0, MAC1_OFFSET));
  return constantTimeEqual(expected, message.subarray(MAC1_OFFSET, MAC1_OFFSET + MAC_BYTES));
}

/** hasValidMac1 bound to one key (a node's own): the key is looked up once, not per message. */
export function mac1Checker(responderKey: Uint8Array): (message: Buffer) => boolean {
  return hmacTag16Checker(keysFor(responderKey).mac1Key, MAC1_OFFSET);
}

/** The initiator's side: reads a cookie reply to the message 1 whose mac1 is given; undefined if it does not open. */
export function openCookieReply(reply: Uint8Array, responderKey: Uint8Array, mac1: Uint8Array): Buffer | undefined {
  if (reply.length !== COOKIE_REPLY_BYTES || reply[0] !== TYPE_COOKIE_REPLY) return undefined;
  const nonce = reply.subarray(1, 1 + COOKIE_NONCE_BYTES);
  const cookie = aeadOpen(keysFor(responderKey).cookieKey, nonce, reply.subarray(1 + COOKIE_NONCE_BYTES), mac1);
  return cookie?.length === MAC_BYTES ? cookie : undefined;
}

/** The responder's side: makes cookies for source addresses and checks mac2 against them. */
export class CookieChecker {
  private secret = randomBytes(32);
  private previous?: Buffer;
  private bornMs: number;

  constructor(private readonly ownKey: Uint8Array, private readonly now: () => number = () => Date.now()) {
    this.bornMs = now();
  }

  hasValidMac2(message: Uint8Array, source: string): boolean {
    const given = message.subarray(MAC2_OFFSET, MAC2_OFFSET + MAC_BYTES);
    if (constantTimeEqual(given, ZERO_MAC)) return false;
    this.rotate();
    // A cookie made just before a rotation is still honoured for one more period.
    return [this.secret, this.previous].some((secret) => secret !== undefined && constantTimeEqual(mac16(mac16(secret, Buffer.from(source)), message.subarray(0, MAC2_OFFSET)), given));
  }

  /** The 45-byte cookie reply to a message 1 from `source` ("ip:port"). */
  cookieReply(message: Uint8Array, source: string): Buffer {
    this.rotate();
    const cookie = mac16(this.secret, Buffer.from(source));
    const nonce = randomBytes(COOKIE_NONCE_BYTES);
    const sealed = aeadSeal(keysFor(this.ownKey).cookieKey, nonce, cookie, message.subarray(MAC1_OFFSET, MAC1_OFFSET + MAC_BYTES));
    return Buffer.concat([Buffer.from([TYPE_COOKIE_REPLY]), nonce, sealed]);
  }

  /**
   * Replaces the secret lazily but on the fixed schedule (every COOKIE_SECRET_MAX_AGE_MS
   * from the first): counted from the moment it was due, not from when a message 1 next
   * came, so a cookie is never honoured past the end of the period after its own, however
   * quiet the node was in between.
   */
  private rotate(): void {
    const periods = Math.floor((this.now() - this.bornMs) / COOKIE_SECRET_MAX_AGE_MS);
    if (periods < 1) return;
    this.previous = periods === 1 ? this.secret : undefined;
    this.secret = randomBytes(32);
    this.bornMs += periods * COOKIE_SECRET_MAX_AGE_MS;
  }
}
