// Chat records on a PeerLink stream (channel "chat"). The stream is an encrypted duplex
// that promises no message boundaries, so records carry their own length:
//   1. length   4 bytes big-endian, 1..MAX_RECORD_BYTES (a bigger value ends the link)
//   2. type     1 byte
//   3. payload  length - 1 bytes, by type:
//      RecordType.Message (1): hopsLeft (1 byte), then the signed message (chat-message.ts)
//      RecordType.Have (2), Backlog (3), Gaps (4): the catch-up of a new link (sync-records.ts;
//      Backlog has Message's payload, for messages sent because the peer lacked them)
// Unknown record types are skipped, so later versions can add types.
import { HEADER_BYTES, MAX_BODY_BYTES, SIGNATURE_BYTES } from './chat-message.js';

export const RecordType = { Message: 1, Have: 2, Backlog: 3, Gaps: 4 } as const;
export const MAX_RECORD_BYTES = 2 + HEADER_BYTES + MAX_BODY_BYTES + SIGNATURE_BYTES;
const LENGTH_BYTES = 4;

export interface ChatRecord {
  type: number;
  payload: Uint8Array;
}

export interface MessageRecord {
  hopsLeft: number;
  encodedMessage: Uint8Array;
}

export function encodeMessageRecord(hopsLeft: number, encodedMessage: Uint8Array, type: number = RecordType.Message): Uint8Array {
  const length = 2 + encodedMessage.length;
  if (length > MAX_RECORD_BYTES) throw new RangeError('chat record too large');
  const out = new Uint8Array(LENGTH_BYTES + length);
  new DataView(out.buffer).setUint32(0, length);
  out[4] = type;
  out[5] = Math.max(0, Math.min(255, hopsLeft));
  out.set(encodedMessage, 6);
  return out;
}

export function decodeMessageRecord(record: ChatRecord): MessageRecord | undefined {
  if (record.type !== RecordType.Message || record.payload.length < 1) return undefined;
  return { hopsLeft: record.payload[0]!, encodedMessage: record.payload.subarray(1) };
}

/** A Backlog record: the same payload as a Message record. */
export function decodeBacklogRecord(record: ChatRecord): MessageRecord | undefined {
  if (record.type !== RecordType.Backlog) return undefined;
  return decodeMessageRecord({ type: RecordType.Message, payload: record.payload });
}

/** Thrown by RecordDecoder.push when the peer breaks the framing; the link must end. */
export class RecordFramingError extends Error {}

/** Reassembles records from arbitrary chunks (1-byte writes included). */
export class RecordDecoder {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  push(chunk: Uint8Array): ChatRecord[] {
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    const records: ChatRecord[] = [];
    // Join the chunks only once a whole record is here: a peer sending a record a byte at
    // a time must not make us copy it again for every byte.
    if (this.pending.length > 1 && !this.hasWholeRecord()) return records;
    let buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let offset = 0;
    while (buffer.length - offset >= LENGTH_BYTES) {
      const length = new DataView(buffer.buffer, buffer.byteOffset + offset, LENGTH_BYTES).getUint32(0);
      if (length === 0 || length > MAX_RECORD_BYTES) {
        throw new RecordFramingError(`chat record length ${length} outside 1..${MAX_RECORD_BYTES}`);
      }
      if (buffer.length - offset - LENGTH_BYTES < length) break;
      const start = offset + LENGTH_BYTES;
      // Copy so a record does not pin a large network buffer in memory (history keeps some).
      const body = new Uint8Array(buffer.subarray(start, start + length));
      records.push({ type: body[0]!, payload: body.subarray(1) });
      offset = start + length;
    }
    buffer = buffer.subarray(offset);
    this.pending = buffer.length > 0 ? [buffer] : [];
    this.pendingBytes = buffer.length;
    return records;
  }

  /** Whether the pending bytes hold the first record's length and all of its bytes (checks the length too). */
  private hasWholeRecord(): boolean {
    if (this.pendingBytes < LENGTH_BYTES) return false;
    const head = new Uint8Array(LENGTH_BYTES);
    let filled = 0;
    for (const chunk of this.pending) {
      const take = Math.min(chunk.length, LENGTH_BYTES - filled);
      head.set(chunk.subarray(0, take), filled);
      filled += take;
      if (filled === LENGTH_BYTES) break;
    }
    const length = new DataView(head.buffer).getUint32(0);
    if (length === 0 || length > MAX_RECORD_BYTES) throw new RecordFramingError(`chat record length ${length} outside 1..${MAX_RECORD_BYTES}`);
    return this.pendingBytes >= LENGTH_BYTES + length;
  }
}
