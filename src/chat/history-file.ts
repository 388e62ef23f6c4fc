// Bounded-memory access to the chat history file (chat-history.ts owns its format).
// The file can be far larger than what a process may hold (an older version let a
// flooder grow it past what one string can be), so it is only ever read in fixed
// chunks, line by line, and compacted by copying its tail to a new file.
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '../identity/atomic-file.js';

const CHUNK_BYTES = 1024 * 1024;
/** A history line holds one message of at most ~8.3 KB as base64 (~11.2 KB); longer lines are garbage. */
export const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** One line of the file, as bytes [start, end) of `bytes` (no copy), at `offset` in the file. */
export interface LineView {
  bytes: Buffer;
  start: number;
  end: number;
  offset: number;
}

/**
 * Calls `onLine` for every line in bytes [start, end) of the file, in order (without the
 * newline; undefined for a line over MAX_LINE_BYTES, which is not buffered). A last line
 * without a newline is passed too. The view is only valid during the call.
 */
export function forEachLine(fd: number, start: number, end: number, onLine: (line: LineView | undefined) => void): void {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let isOverlong = false;
  let position = start;
  while (position < end) {
    const read = readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, end - position), position);
    if (read === 0) break;
    const chunkOffset = position;
    position += read;
    let lineStart = 0;
    for (let newline = chunk.indexOf(NEWLINE, 0); newline !== -1 && newline < read; newline = chunk.indexOf(NEWLINE, lineStart)) {
      if (isOverlong || carryBytes + newline - lineStart > MAX_LINE_BYTES) onLine(undefined);
      else if (carryBytes === 0) onLine({ bytes: chunk, start: lineStart, end: newline, offset: chunkOffset + lineStart });
      else {
        const joined = Buffer.concat([...carry, chunk.subarray(lineStart, newline)]);
        onLine({ bytes: joined, start: 0, end: joined.length, offset: chunkOffset - carryBytes });
      }
      carry = [];
      carryBytes = 0;
      isOverlong = false;
      lineStart = newline + 1;
    }
    if (lineStart < read && !isOverlong) {
      carryBytes += read - lineStart;
      if (carryBytes > MAX_LINE_BYTES) {
        isOverlong = true;
        carry = [];
      } else {
        carry.push(Buffer.from(chunk.subarray(lineStart, read)));
      }
    }
  }
  if (isOverlong) onLine(undefined);
  else if (carryBytes > 0) {
    const joined = Buffer.concat(carry);
    onLine({ bytes: joined, start: 0, end: joined.length, offset: position - carryBytes });
  }
}

/** The text of bytes [offset, offset + length) of the file (lines are ASCII). */
export function readText(fd: number, offset: number, length: number): string {
  const bytes = Buffer.allocUnsafe(length);
  const read = readSync(fd, bytes, 0, length, offset);
  return bytes.toString('latin1', 0, read);
}

/** Offset of the first line that starts at or after `offset` (the file size when none does). */
export function lineStartAtOrAfter(fd: number, offset: number, size: number): number {
  if (offset <= 0) return 0;
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  // The byte before `offset` tells whether a line starts exactly there.
  for (let position = offset - 1; position < size; ) {
    const read = readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, size - position), position);
    if (read === 0) break;
    const newline = chunk.subarray(0, read).indexOf(NEWLINE);
    if (newline !== -1) return position + newline + 1;
    position += read;
  }
  return size;
}

/**
 * Replaces the file at `path` with `header` followed by bytes [from, size) of `fd`, via a
 * temporary file renamed over it (a crash leaves the old file whole).
 */
export function rewriteTail(path: string, fd: number, from: number, size: number, header: string): void {
  const temp = `${path}.compact.tmp`;
  let out: number | undefined = openSync(temp, 'w', PRIVATE_FILE_MODE);
  try {
    writeSync(out, header);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let position = from; position < size; ) {
      const read = readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, size - position), position);
      if (read === 0) break;
      writeSync(out, chunk, 0, read);
      position += read;
    }
    fsyncSync(out);
    closeSync(out);
    out = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (out !== undefined) closeSync(out);
    rmSync(temp, { force: true });
    throw error;
  }
}
