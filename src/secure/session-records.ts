/**
 * The session record of handshake v2 (docs/protocol.md "Connections", sections 5 and 9).
 * The initiator's channel request rides in message 1 (swarm-handshake.ts), so the only
 * record is the responder's answer: the whole plaintext of its first transport frame,
 * with no frame type byte (frame-types.ts) in front.
 *
 *   responder -> initiator   0x02 ACCEPT
 *                       or   0x03 REFUSE || UTF-8 reason (then the responder closes)
 *
 * After ACCEPT every frame starts with its type byte; a frame with an empty plaintext marks
 * the authenticated end of that direction, so a cut connection cannot pass for a finished
 * one. (0x01 was v1's OPEN, the initiator's channel request; v2 neither sends nor accepts it.)
 */
import { errors } from '../errors.js';

export const RecordType = { accept: 0x02, refuse: 0x03 } as const;
const MAX_RECORD_TEXT_BYTES = 1024;

export type SessionRecord = { type: 'accept' } | { type: 'refuse'; reason: string };

export function encodeAccept(): Buffer {
  return Buffer.from([RecordType.accept]);
}

export function encodeRefuse(reason: string): Buffer {
  return withText(RecordType.refuse, reason);
}

function withText(type: number, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  if (body.length > MAX_RECORD_TEXT_BYTES) throw new RangeError('record text too long');
  return Buffer.concat([Buffer.from([type]), body]);
}

export function decodeRecord(plaintext: Uint8Array): SessionRecord {
  switch (plaintext[0]) {
    case RecordType.accept:
      if (plaintext.length === 1) return { type: 'accept' };
      break;
    case RecordType.refuse:
      return { type: 'refuse', reason: Buffer.from(plaintext.subarray(1)).toString('utf8') };
  }
  throw errors.badHandshake('unexpected first transport message');
}
