import { describe, expect, it } from 'vitest';
import { DirectSealer } from '../../src/chat/direct-message.js';
import { keyPair } from './helpers/chat-keys.js';

describe('direct message sealing', () => {
  it('the recipient and the author can open it; a third party cannot and sees no plaintext', () => {
    const alice = keyPair();
    const carol = keyPair();
    const bob = keyPair();
    const secret = 'the eagle lands at noon';
    const envelope = new DirectSealer(alice.publicKey, alice.secretKey).seal(secret, carol.publicKey);
    expect(Buffer.from(envelope).includes(Buffer.from(secret))).toBe(false);
    expect(Buffer.from(DirectSealer.recipientOf(envelope)!).equals(carol.publicKey)).toBe(true);
    expect(new DirectSealer(carol.publicKey, carol.secretKey).open(envelope, alice.publicKey)).toBe(secret);
    expect(new DirectSealer(alice.publicKey, alice.secretKey).open(envelope, alice.publicKey)).toBe(secret);
    expect(new DirectSealer(bob.publicKey, bob.secretKey).open(envelope, alice.publicKey)).toBeUndefined();
  });

  it('fails to open when the claimed author is not the sealer, or a byte changed', () => {
    const alice = keyPair();
    const carol = keyPair();
    const mallory = keyPair();
    const envelope = new DirectSealer(mallory.publicKey, mallory.secretKey).seal('hi', carol.publicKey);
    const carolSealer = new DirectSealer(carol.publicKey, carol.secretKey);
    expect(carolSealer.open(envelope, alice.publicKey)).toBeUndefined();
    const genuine = new DirectSealer(alice.publicKey, alice.secretKey).seal('hi', carol.publicKey);
    genuine[genuine.length - 1]! ^= 1;
    expect(carolSealer.open(genuine, alice.publicKey)).toBeUndefined();
  });
});
