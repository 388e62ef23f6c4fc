// hmacSha256 is written out as two one-shot hashes for short inputs (src/crypto/hkdf.ts): it
// must equal node:crypto's HMAC for every key and message length, either side of the block
// size and of the cut-over to the Hmac object, and the fixed-key tag check must refuse any change.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256, hmacTag16Checker } from '../../src/crypto/hkdf.js';

const reference = (key: Uint8Array, ...parts: Uint8Array[]) => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest().toString('hex');
};

describe('hmacSha256', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(hmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('equals node:crypto HMAC for keys of 0-130 bytes and messages of 0-1,200 bytes in 0-3 parts', () => {
    const mismatches: string[] = [];
    for (const keyBytes of [0, 1, 16, 32, 63, 64, 65, 130]) {
      for (const messageBytes of [0, 1, 33, 55, 56, 64, 275, 291, 959, 960, 961, 1200]) {
        const key = randomBytes(keyBytes);
        const message = randomBytes(messageBytes);
        const third = Math.floor(messageBytes / 3);
        const parts = [message.subarray(0, third), message.subarray(third, 2 * third), message.subarray(2 * third)];
        if (hmacSha256(key, message).toString('hex') !== reference(key, message)) mismatches.push(`${keyBytes}/${messageBytes}`);
        if (hmacSha256(key, ...parts).toString('hex') !== reference(key, message)) mismatches.push(`${keyBytes}/${messageBytes} in parts`);
      }
      if (hmacSha256(randomBytes(keyBytes)).length !== 32) mismatches.push(`${keyBytes}/no parts`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('hmacTag16Checker', () => {
  it('accepts the 16-byte tag of the bytes before it, and refuses any flipped bit in either', () => {
    const key = randomBytes(32);
    const check = hmacTag16Checker(key, 275);
    for (let round = 0; round < 20; round++) {
      const message = randomBytes(307);
      createHmac('sha256', key).update(message.subarray(0, 275)).digest().copy(message, 275, 0, 16);
      expect(check(message)).toBe(true);
      // The bytes after the tag (mac2) are not covered.
      message[306] ^= 1;
      expect(check(message)).toBe(true);
      for (const index of [0, 100, 274, 275, 290]) {
        const bit = 1 << round % 8;
        message[index] ^= bit;
        expect(check(message)).toBe(false);
        message[index] ^= bit;
      }
      expect(check(message.subarray(0, 290))).toBe(false);
    }
  });
});

// The checker is SHA-256 written out in JS with precomputed pad midstates (src/crypto/hmac-tag-check.ts).
describe('hmacTag16Checker against RFC 4231 and node:crypto', () => {
  const withTag = (data: Buffer, tagHex: string) => Buffer.concat([data, Buffer.from(tagHex.slice(0, 32), 'hex'), randomBytes(3)]);

  it('accepts the RFC 4231 test cases 1-5 (case 5: the 128-bit truncation) and refuses each with one bit of the tag flipped', () => {
    const cases: [Buffer, Buffer, string][] = [
      [Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [Buffer.alloc(20, 0xaa), Buffer.alloc(50, 0xdd), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
      [Buffer.from(Array.from({ length: 25 }, (_, i) => i + 1)), Buffer.alloc(50, 0xcd), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
      [Buffer.alloc(20, 0x0c), Buffer.from('Test With Truncation'), 'a3b6167473100ee06e0c796c2955552b'],
    ];
    for (const [key, data, tag] of cases) {
      const check = hmacTag16Checker(key, data.length);
      const message = withTag(data, tag);
      expect(check(message)).toBe(true);
      message[data.length + 15] ^= 0x80;
      expect(check(message)).toBe(false);
    }
  });

  it('equals node:crypto HMAC for keys of 0-64 bytes and tag offsets either side of every padding boundary', () => {
    const mismatches: string[] = [];
    for (const keyBytes of [0, 1, 20, 32, 63, 64]) {
      for (const offset of [0, 1, 54, 55, 56, 63, 64, 65, 118, 119, 120, 127, 128, 275, 291, 500]) {
        const key = randomBytes(keyBytes);
        const check = hmacTag16Checker(key, offset);
        for (let round = 0; round < 4; round++) {
          const data = randomBytes(offset);
          const message = withTag(data, reference(key, data));
          if (!check(message)) mismatches.push(`${keyBytes}/${offset} refused`);
          message[round === 0 ? offset : Math.floor((round * offset) / 4)] ^= 1 << round;
          if (check(message)) mismatches.push(`${keyBytes}/${offset} accepted a changed byte`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(() => hmacTag16Checker(randomBytes(65), 275)).toThrow(RangeError);
  });
});
