import { describe, expect, it } from 'vitest';
import {
  decodeMessageRecord,
  encodeMessageRecord,
  MAX_RECORD_BYTES,
  RecordDecoder,
  RecordFramingError,
} from '../../src/chat/chat-record-codec.js';

describe('chat record framing', () => {
  it('reassembles records written one byte at a time', () => {
    const records = [encodeMessageRecord(8, Buffer.from('first')), encodeMessageRecord(3, Buffer.from('second record'))];
    const bytes = Buffer.concat(records);
    const decoder = new RecordDecoder();
    const out = [];
    for (const byte of bytes) out.push(...decoder.push(Uint8Array.of(byte)));
    expect(out.map((record) => decodeMessageRecord(record))).toEqual([
      { hopsLeft: 8, encodedMessage: new Uint8Array(Buffer.from('first')) },
      { hopsLeft: 3, encodedMessage: new Uint8Array(Buffer.from('second record')) },
    ]);
  });

  it('decodes many records from one chunk', () => {
    const bytes = Buffer.concat(Array.from({ length: 100 }, (_, i) => encodeMessageRecord(1, Buffer.from(`m${i}`))));
    const out = new RecordDecoder().push(bytes);
    expect(out).toHaveLength(100);
    expect(Buffer.from(decodeMessageRecord(out[99]!)!.encodedMessage).toString()).toBe('m99');
  });

  it('refuses a length over the cap before buffering it', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_RECORD_BYTES + 1);
    expect(() => new RecordDecoder().push(header)).toThrow(RecordFramingError);
    const zero = Buffer.alloc(4);
    expect(() => new RecordDecoder().push(zero)).toThrow(RecordFramingError);
  });

  it('ignores unknown record types', () => {
    const unknown = Buffer.from([0, 0, 0, 2, 99, 1]);
    const [record] = new RecordDecoder().push(unknown);
    expect(record!.type).toBe(99);
    expect(decodeMessageRecord(record!)).toBeUndefined();
  });
});
