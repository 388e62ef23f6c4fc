/**
 * The first transport message in each direction opens the channel (plaintext, inside a
 * sealed frame):
 *
 *   1. initiator -> responder   0x01 OPEN    || UTF-8 channel name ("chat" | "torrent <40 hex>")
 *   2. responder -> initiator   0x02 ACCEPT
 *                          or   0x03 REFUSE  || UTF-8 reason (then the responder closes)
 *
 * After ACCEPT every frame is application data; a frame with an empty plaintext marks the
 * authenticated end of that direction, so a cut connection cannot pass for a finished one.
 */
import { errors } from '../errors.js';

export const RecordType = { open: 0x01, accept: 0x02, refuse: 0x03 } as const;
const MAX_RECORD_TEXT_BYTES = 1024;

export type SessionRecord = { type: 'open'; channel: string } | { type: 'accept' } | { type: 'refuse'; reason: string };

export function encodeOpen(channel: string): Buffer {
  return withText(RecordType.open, channel);
}

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
  const text = () => Buffer.from(plaintext.subarray(1)).toString('utf8');
  switch (plaintext[0]) {
    case RecordType.open:
      return { type: 'open', channel: text() };
    case RecordType.accept:
      if (plaintext.length === 1) return { type: 'accept' };
      break;
    case RecordType.refuse:
      return { type: 'refuse', reason: text() };
  }
  throw errors.badHandshake('unexpected first transport message');
}
