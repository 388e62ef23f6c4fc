import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  bodyText,
  decodeMessage,
  MAX_BODY_BYTES,
  MessageKind,
  SIGN_LABEL,
  signMessage,
  verifyMessage,
  type ChatMessage,
} from '../../src/chat/chat-message.js';
import { keyPair, textMessage } from './helpers/chat-keys.js';

/** What the router and the history do with bytes from outside: decode, then verify. */
function decodeAndVerify(encoded: Uint8Array): ChatMessage | undefined {
  const decoded = decodeMessage(encoded);
  return decoded && verifyMessage(decoded);
}

describe('chat message', () => {
  it('round-trips author, seq, ts, kind and body, and its id is SHA-256 of the signed bytes', () => {
    const alice = keyPair();
    const message = textMessage(alice, 42, 'hello ✓', 1_700_000_000_123);
    const decoded = decodeAndVerify(new Uint8Array(message.encoded))!;
    expect(decoded).toBeDefined();
    expect(Buffer.from(decoded.author).equals(alice.publicKey)).toBe(true);
    expect(decoded.seq).toBe(42);
    expect(decoded.ts).toBe(1_700_000_000_123);
    expect(decoded.kind).toBe(MessageKind.Public);
    expect(bodyText(decoded)).toBe('hello ✓');
    const signed = Buffer.concat([SIGN_LABEL, message.encoded.subarray(0, message.encoded.length - 64)]);
    expect(decoded.id).toBe(createHash('sha256').update(signed).digest('hex'));
    expect(decoded.id).toBe(message.id);
  });

  it('rejects a flipped bit anywhere: author, seq, ts, kind, body or signature', () => {
    const alice = keyPair();
    const message = textMessage(alice, 1, 'pay bob 10');
    for (let offset = 0; offset < message.encoded.length; offset++) {
      const tampered = new Uint8Array(message.encoded);
      tampered[offset]! ^= 0x01;
      expect(decodeAndVerify(tampered), `byte ${offset}`).toBeUndefined();
    }
  });

  it('rejects a message signed by one key that claims another author', () => {
    const alice = keyPair();
    const mallory = keyPair();
    const forged = signMessage(
      { author: alice.publicKey, seq: 1, ts: Date.now(), kind: MessageKind.Public, body: new TextEncoder().encode('hi') },
      mallory.secretKey,
    );
    expect(decodeAndVerify(forged.encoded)).toBeUndefined();
  });

  it('rejects malformed encodings without throwing', () => {
    const message = textMessage(keyPair(), 1, 'x');
    expect(decodeMessage(message.encoded.subarray(0, 50))).toBeUndefined();
    expect(decodeMessage(Buffer.concat([message.encoded, Buffer.from([0])]))).toBeUndefined();
    const badKind = new Uint8Array(message.encoded);
    badKind[48] = 7;
    expect(decodeMessage(badKind)).toBeUndefined();
    expect(decodeMessage(new Uint8Array(0))).toBeUndefined();
  });

  it('caps the body size when signing', () => {
    const alice = keyPair();
    expect(() =>
      signMessage({ author: alice.publicKey, seq: 1, ts: 1, kind: MessageKind.Public, body: new Uint8Array(MAX_BODY_BYTES + 1) }, alice.secretKey),
    ).toThrow(RangeError);
  });
});
