/**
 * Length-prefixed frames, used for Noise handshake and transport messages alike:
 *
 *   1. 2 bytes  length L, big-endian (Noise's own limit: a message is at most 65,535 bytes)
 *   2. L bytes  the Noise message
 *
 * The decoder checks the length against its cap as soon as the 2 header bytes arrive, so
 * an oversized frame is refused before its body is buffered.
 */
import { errors } from '../errors.js';

export const FRAME_HEADER_BYTES = 2;
export const MAX_FRAME_BYTES = 0xffff;

export function encodeFrameHeader(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_BYTES) throw errors.frameTooLarge(length, MAX_FRAME_BYTES);
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt16BE(length, 0);
  return header;
}

export function encodeFrame(body: Uint8Array): Buffer {
  return Buffer.concat([encodeFrameHeader(body.length), body]);
}

/**
 * Turns arbitrary chunks into whole frames without copying: each frame comes back as the
 * list of chunk views that hold its body (one view when the frame sits inside one chunk).
 * The transport cipher decrypts the views in turn, so bulk data is never reassembled.
 */
export class FrameDecoder {
  private expectedBytes = -1;
  private heldHeaderByte: number | undefined;
  private parts: Buffer[] = [];
  private partsBytes = 0;

  constructor(private readonly maxFrameBytes: number = MAX_FRAME_BYTES) {}

  /** Appends a chunk; returns the frame bodies it completes, each as its parts. Throws on an oversized frame. */
  pushParts(chunk: Buffer): Buffer[][] {
    const frames: Buffer[][] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.expectedBytes < 0) {
        if (this.heldHeaderByte !== undefined) {
          this.expectedBytes = (this.heldHeaderByte << 8) | chunk[offset]!;
          this.heldHeaderByte = undefined;
          offset += 1;
        } else if (chunk.length - offset >= FRAME_HEADER_BYTES) {
          this.expectedBytes = chunk.readUInt16BE(offset);
          offset += FRAME_HEADER_BYTES;
        } else {
          this.heldHeaderByte = chunk[offset]!;
          break;
        }
        if (this.expectedBytes > this.maxFrameBytes) throw errors.frameTooLarge(this.expectedBytes, this.maxFrameBytes);
        if (this.expectedBytes === 0) {
          frames.push([]);
          this.expectedBytes = -1;
          continue;
        }
      }
      const take = Math.min(this.expectedBytes - this.partsBytes, chunk.length - offset);
      this.parts.push(chunk.subarray(offset, offset + take));
      this.partsBytes += take;
      offset += take;
      if (this.partsBytes === this.expectedBytes) {
        frames.push(this.parts);
        this.parts = [];
        this.partsBytes = 0;
        this.expectedBytes = -1;
      }
    }
    return frames;
  }

  /** As pushParts, with each body joined into one buffer (for small frames and tests). */
  push(chunk: Buffer): Buffer[] {
    return this.pushParts(chunk).map((parts) => (parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
  }
}
