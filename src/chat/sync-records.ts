// The records of a new link's catch-up (docs/protocol.md, "Catching up"). Each side sends
// one HAVE: per author, the highest sequence it holds. The other side answers with the
// messages above it as BACKLOG records, then one GAPS record: per author, how many it
// held for this peer but could not send (outside the history window, or over the
// per-author bounds), with their sequence range. All integers big-endian.
//   HAVE  count (2), then count x [author (32), seq (8)]
//   GAPS  count (2), then count x [author (32), missing (4), firstSeq (8), lastSeq (8)]
// Both are bounded by MAX_SYNC_AUTHORS entries; a record that claims more, or whose
// length does not match its count, is ignored.
import { RecordType, type ChatRecord } from './chat-record-codec.js';

/** Authors per HAVE or GAPS record (5 KiB and 6.5 KiB: one record each). */
export const MAX_SYNC_AUTHORS = 128;
const KEY_BYTES = 32;
const HAVE_ENTRY_BYTES = KEY_BYTES + 8;
const GAP_ENTRY_BYTES = KEY_BYTES + 4 + 8 + 8;

export interface HaveEntry {
  author: Uint8Array;
  seq: number;
}

export interface GapEntry {
  author: Uint8Array;
  missing: number;
  firstSeq: number;
  lastSeq: number;
}

function frame(type: number, payloadBytes: number, fill: (view: DataView, out: Uint8Array, at: number) => void): Uint8Array {
  const out = new Uint8Array(4 + 1 + payloadBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, 1 + payloadBytes);
  out[4] = type;
  fill(view, out, 5);
  return out;
}

export function encodeHave(entries: readonly HaveEntry[]): Uint8Array {
  if (entries.length > MAX_SYNC_AUTHORS) throw new RangeError('too many authors in a have record');
  return frame(RecordType.Have, 2 + entries.length * HAVE_ENTRY_BYTES, (view, out, at) => {
    view.setUint16(at, entries.length);
    entries.forEach(({ author, seq }, i) => {
      const offset = at + 2 + i * HAVE_ENTRY_BYTES;
      out.set(author, offset);
      view.setBigUint64(offset + KEY_BYTES, BigInt(seq));
    });
  });
}

export function encodeGaps(entries: readonly GapEntry[]): Uint8Array {
  if (entries.length > MAX_SYNC_AUTHORS) throw new RangeError('too many authors in a gaps record');
  return frame(RecordType.Gaps, 2 + entries.length * GAP_ENTRY_BYTES, (view, out, at) => {
    view.setUint16(at, entries.length);
    entries.forEach(({ author, missing, firstSeq, lastSeq }, i) => {
      const offset = at + 2 + i * GAP_ENTRY_BYTES;
      out.set(author, offset);
      view.setUint32(offset + KEY_BYTES, missing);
      view.setBigUint64(offset + KEY_BYTES + 4, BigInt(firstSeq));
      view.setBigUint64(offset + KEY_BYTES + 12, BigInt(lastSeq));
    });
  });
}

function entries<T>(record: ChatRecord, type: number, entryBytes: number, read: (view: DataView, offset: number) => T | undefined): T[] | undefined {
  const { payload } = record;
  if (record.type !== type || payload.length < 2) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = view.getUint16(0);
  if (count > MAX_SYNC_AUTHORS || payload.length !== 2 + count * entryBytes) return undefined;
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const entry = read(view, 2 + i * entryBytes);
    if (entry === undefined) return undefined;
    out.push(entry);
  }
  return out;
}

function safeSeq(view: DataView, offset: number): number | undefined {
  const value = view.getBigUint64(offset);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(value);
}

/** Undefined when malformed (the caller ignores it). */
export function decodeHave(record: ChatRecord): HaveEntry[] | undefined {
  return entries(record, RecordType.Have, HAVE_ENTRY_BYTES, (view, offset) => {
    const seq = safeSeq(view, offset + KEY_BYTES);
    if (seq === undefined) return undefined;
    return { author: new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + KEY_BYTES)), seq };
  });
}

export function decodeGaps(record: ChatRecord): GapEntry[] | undefined {
  return entries(record, RecordType.Gaps, GAP_ENTRY_BYTES, (view, offset) => {
    const firstSeq = safeSeq(view, offset + KEY_BYTES + 4);
    const lastSeq = safeSeq(view, offset + KEY_BYTES + 12);
    if (firstSeq === undefined || lastSeq === undefined || firstSeq > lastSeq) return undefined;
    const author = new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + KEY_BYTES));
    return { author, missing: view.getUint32(offset + KEY_BYTES), firstSeq, lastSeq };
  });
}
