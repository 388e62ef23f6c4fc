/**
 * Conformance client, part 4: chat records on channel "chat" (docs/protocol.md, "Chat"):
 * length-prefixed records, signed messages, direct-message envelopes.
 */
import { randomBytes } from 'node:crypto';
import { naclBox } from './nacl-box.js';
import { edPublicToX25519, edSecretToX25519, edSign, type Identity } from './wire-crypto.js';

export const RECORD = { message: 1, have: 2, backlog: 3, gaps: 4 } as const;
const SIGNING_LABEL = Buffer.from('swarm-chat-v1\0', 'latin1');

/** length (4, BE, counts type + payload) || type (1) || payload. */
export function chatRecord(type: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length + 1, 0);
  header[4] = type;
  return Buffer.concat([header, payload]);
}

/** author (32) || seq (8) || ts (8) || kind (1) || bodyLength (2) || body || Ed25519 signature (64). */
export function signedMessage(author: Identity, seq: bigint, tsMs: number, kind: 1 | 2, body: Uint8Array): Buffer {
  const fields = Buffer.alloc(32 + 8 + 8 + 1 + 2);
  author.publicKey.copy(fields, 0);
  fields.writeBigUInt64BE(seq, 32);
  fields.writeBigUInt64BE(BigInt(tsMs), 40);
  fields[48] = kind;
  fields.writeUInt16BE(body.length, 49);
  const signed = Buffer.concat([fields, body]);
  return Buffer.concat([signed, edSign(author, Buffer.concat([SIGNING_LABEL, signed]))]);
}

/** A MESSAGE record: hopsLeft (1) || signed message. */
export function messageRecord(message: Uint8Array, hopsLeft = 8): Buffer {
  return chatRecord(RECORD.message, Buffer.concat([Buffer.from([hopsLeft]), message]));
}

/** Direct-message body: recipient (32) || nonce (24) || nacl.box(text, nonce, X25519(recipient), X25519secret(author)). */
export function directMessageBody(author: Identity, recipient: Buffer, text: string): Buffer {
  const nonce = randomBytes(24);
  const box = naclBox(Buffer.from(text, 'utf8'), nonce, edPublicToX25519(recipient), edSecretToX25519(author));
  return Buffer.concat([recipient, nonce, box]);
}

/** Splits a byte stream into records (a record may span frames, a frame may hold several). */
export class RecordReader {
  private buffered = Buffer.alloc(0);

  push(bytes: Uint8Array): { type: number; payload: Buffer }[] {
    this.buffered = Buffer.concat([this.buffered, bytes]);
    const records: { type: number; payload: Buffer }[] = [];
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (this.buffered.length < 4 + length) break;
      records.push({ type: this.buffered[4]!, payload: this.buffered.subarray(5, 4 + length) });
      this.buffered = this.buffered.subarray(4 + length);
    }
    return records;
  }
}
