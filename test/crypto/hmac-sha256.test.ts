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
