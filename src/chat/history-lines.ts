// The lines of chat-history.jsonl: a message line's JSON, and the cheap reads of an old
// line (author and seq straight from its bytes) that keep replay floors without parsing.
import { decodeMessage } from './chat-message.js';
import type { LineView } from './history-file.js';

export interface HistoryLine {
  id: string;
  from: string;
  seq: number;
  ts: number;
  kind: 'public' | 'direct';
  msg: string;
}

export const FLOORS_PREFIX = '{"floors":';
const MSG_FIELD = '"msg":"';
/** base64 characters that hold the author key and seq (48 bytes). */
const AUTHOR_SEQ_BASE64 = 64;

export function isFloorsLine(line: LineView): boolean {
  return line.bytes.toString('latin1', line.start, Math.min(line.end, line.start + FLOORS_PREFIX.length)) === FLOORS_PREFIX;
}

/**
 * Reads only what an old line contributes: the author and seq at the start of its
 * message (no JSON parse, no signature check), or every entry of a floors line.
 */
export function scanFloor(line: LineView | undefined, onSeq: (author: string, seq: number) => void): boolean {
  if (line === undefined) return false;
  if (isFloorsLine(line)) {
    try {
      const floors = (JSON.parse(line.bytes.toString('latin1', line.start, line.end)) as { floors?: Record<string, unknown> }).floors ?? {};
      for (const [author, seq] of Object.entries(floors)) {
        if (/^[0-9a-f]{64}$/.test(author) && Number.isSafeInteger(seq)) onSeq(author, seq as number);
      }
      return true;
    } catch {
      return false;
    }
  }
  const at = line.bytes.indexOf(MSG_FIELD, line.start, 'latin1');
  if (at === -1 || at + MSG_FIELD.length + AUTHOR_SEQ_BASE64 > line.end) return false;
  const head = Buffer.from(line.bytes.toString('latin1', at + MSG_FIELD.length, at + MSG_FIELD.length + AUTHOR_SEQ_BASE64), 'base64');
  if (head.length < 40) return false;
  const seq = head.readBigUInt64BE(32);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return false;
  onSeq(head.subarray(0, 32).toString('hex'), Number(seq));
  return true;
}

export function parseLine(line: string | undefined): ReturnType<typeof decodeMessage> {
  if (line === undefined) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<HistoryLine>;
    if (typeof parsed.msg !== 'string') return undefined;
    return decodeMessage(new Uint8Array(Buffer.from(parsed.msg, 'base64')));
  } catch {
    return undefined;
  }
}
