/**
 * Conformance client, part 2: nacl.box (X25519, HSalsa20, XSalsa20-Poly1305) for direct
 * messages. node:crypto has no Salsa20, so it is written out here from the NaCl definition.
 */
import { dh, type DhKeyPair } from './wire-crypto.js';

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]; // "expand 32-byte k"

/** The Salsa20 core over a 16-word state; HSalsa20 returns 8 words of the rounds' output. */
function salsaCore(key: Uint8Array, input16: Uint8Array, isHSalsa: boolean): Buffer {
  const k = (i: number) => Buffer.from(key).readUInt32LE(i * 4);
  const n = (i: number) => Buffer.from(input16).readUInt32LE(i * 4);
  const start = [SIGMA[0]!, k(0), k(1), k(2), k(3), SIGMA[1]!, n(0), n(1), n(2), n(3), SIGMA[2]!, k(4), k(5), k(6), k(7), SIGMA[3]!];
  const x = Uint32Array.from(start);
  const rotl = (v: number, c: number) => (v << c) | (v >>> (32 - c));
  const qr = (a: number, b: number, c: number, d: number) => {
    x[b]! ^= rotl((x[a]! + x[d]!) | 0, 7);
    x[c]! ^= rotl((x[b]! + x[a]!) | 0, 9);
    x[d]! ^= rotl((x[c]! + x[b]!) | 0, 13);
    x[a]! ^= rotl((x[d]! + x[c]!) | 0, 18);
  };
  for (let round = 0; round < 10; round++) {
    qr(0, 4, 8, 12); qr(5, 9, 13, 1); qr(10, 14, 2, 6); qr(15, 3, 7, 11); // columns
    qr(0, 1, 2, 3); qr(5, 6, 7, 4); qr(10, 11, 8, 9); qr(15, 12, 13, 14); // rows
  }
  const words = isHSalsa ? [0, 5, 10, 15, 6, 7, 8, 9].map((i) => x[i]!) : [...x].map((v, i) => (v + start[i]!) >>> 0);
  const out = Buffer.alloc(words.length * 4);
  words.forEach((word, i) => out.writeUInt32LE(word >>> 0, i * 4));
  return out;
}

function xsalsa20Stream(key: Uint8Array, nonce24: Uint8Array, bytes: number): Buffer {
  const subKey = salsaCore(key, nonce24.subarray(0, 16), true);
  const blocks: Buffer[] = [];
  for (let counter = 0; counter * 64 < bytes; counter++) {
    const input = Buffer.alloc(16);
    input.set(nonce24.subarray(16, 24), 0);
    input.writeBigUInt64LE(BigInt(counter), 8);
    blocks.push(salsaCore(subKey, input, false));
  }
  return Buffer.concat(blocks).subarray(0, bytes);
}

function poly1305(key32: Uint8Array, message: Uint8Array): Buffer {
  const le = (bytes: Uint8Array) => BigInt('0x' + (Buffer.from(bytes).reverse().toString('hex') || '0'));
  const p = (1n << 130n) - 5n;
  const r = le(key32.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  let acc = 0n;
  for (let i = 0; i < message.length; i += 16) {
    const chunk = message.subarray(i, i + 16);
    acc = ((acc + le(chunk) + (1n << BigInt(8 * chunk.length))) * r) % p;
  }
  const tag = (acc + le(key32.subarray(16, 32))) & ((1n << 128n) - 1n);
  return Buffer.from(tag.toString(16).padStart(32, '0'), 'hex').reverse();
}

/** nacl.box(message, nonce, theirPublic, mySecret): 16-byte Poly1305 tag || ciphertext. */
export function naclBox(message: Uint8Array, nonce24: Uint8Array, theirPublicX25519: Uint8Array, mine: DhKeyPair): Buffer {
  const sharedKey = salsaCore(dh(mine, theirPublicX25519), Buffer.alloc(16), true);
  const stream = xsalsa20Stream(sharedKey, nonce24, 32 + message.length);
  const ciphertext = Buffer.from(message.map((byte, i) => byte ^ stream[32 + i]!));
  return Buffer.concat([poly1305(stream.subarray(0, 32), ciphertext), ciphertext]);
}
