/**
 * Length-prefixed frames, used for Noise handshake and transport messages alike:
 *
 *   1. 2 bytes  length L, big-endian (Noise's own limit: a message is at most 65,535 bytes)
 *   2. L bytes  the Noise message
 *
 * The decoder checks the length against its cap as soon as the 2 header bytes arrive, so
 * an oversized frame is refused before its body is buffered.
 */
import { secureErrors } from './secure-errors.js';

export const FRAME_HEADER_BYTES = 2;
export const MAX_FRAME_BYTES = 0xffff;

export function encodeFrameHeader(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_BYTES) throw secureErrors.frameTooLarge(length, MAX_FRAME_BYTES);
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt16BE(length, 0);
  return header;
}

export function encodeFrame(body: Uint8Array): Buffer {
  return Buffer.concat([encodeFrameHeader(body.length), body]);
}

/**
 * Turns arbitrary chunks into whole frame bodies. Bodies that sit inside one chunk are
 * returned as views (no copy); only frames split across chunks are assembled.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private maxFrameBytes: number = MAX_FRAME_BYTES) {}

  /** Lowers or raises the cap for frames not yet started (handshake frames are smaller). */
  setMaxFrameBytes(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Appends a chunk; returns the frame bodies it completes. Throws on an oversized frame. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let data = chunk;
    if (this.pendingBytes > 0) {
      // Still short of a whole frame: keep the chunk aside rather than copying again.
      if (this.pending[0]!.length >= FRAME_HEADER_BYTES) {
        const needed = FRAME_HEADER_BYTES + this.pending[0]!.readUInt16BE(0);
        if (this.pendingBytes + chunk.length < needed) {
          this.pending.push(chunk);
          this.pendingBytes += chunk.length;
          return frames;
        }
      }
      data = Buffer.concat([...this.pending, chunk], this.pendingBytes + chunk.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_BYTES) {
      const length = data.readUInt16BE(offset);
      if (length > this.maxFrameBytes) throw secureErrors.frameTooLarge(length, this.maxFrameBytes);
      if (data.length - offset - FRAME_HEADER_BYTES < length) break;
      frames.push(data.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length));
      offset += FRAME_HEADER_BYTES + length;
    }
    if (offset < data.length) {
      this.pending.push(data.subarray(offset));
      this.pendingBytes = data.length - offset;
    }
    return frames;
  }

  /** Bytes received but not yet part of a whole frame. */
  takeRemainder(): Buffer {
    const rest = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return rest;
  }
}
