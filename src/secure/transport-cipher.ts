/**
 * Noise transport messages on the wire (after the handshake), one direction each:
 *
 *   1. 2 bytes  length L = plaintext bytes + 16, big-endian (so L <= 65,535)
 *   2. L bytes  ChaCha20-Poly1305(key, nonce = 0^32 || counter as uint64 LE, ad = empty) || tag
 *
 * The counter starts at 0 and counts frames, so a dropped, replayed or reordered frame is
 * opened under the wrong nonce and fails authentication. Nothing is released before the
 * tag verifies. These are Noise CipherState messages, built here directly on one AEAD
 * context per frame (crypto/aead.ts) so a frame costs one cipher object and one output buffer.
 */
import { AEAD_TAG_BYTES, aeadOpenContext, aeadSealContext } from '../crypto/aead.js';
import { writeNonce } from './noise-cipher-state.js';
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from './frame-codec.js';
import { errors } from '../errors.js';

export const MAX_PLAINTEXT_BYTES = MAX_FRAME_BYTES - AEAD_TAG_BYTES;
const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

abstract class CounterCipher {
  protected counter = 0;
  protected readonly nonce = Buffer.alloc(12);

  constructor(protected readonly key: Buffer) {}

  get framesProcessed(): number {
    return this.counter;
  }

  protected nextNonce(): Buffer {
    if (this.counter >= MAX_COUNTER) throw errors.badFrame();
    writeNonce(this.nonce, this.counter++);
    return this.nonce;
  }
}

export class FrameSealer extends CounterCipher {
  /** Seals `parts` (together at most MAX_PLAINTEXT_BYTES) into one framed transport message. */
  seal(...parts: Uint8Array[]): Buffer {
    const pieces = this.sealPieces(parts);
    let bytes = 0;
    for (const piece of pieces) bytes += piece.length;
    return Buffer.concat(pieces, bytes);
  }

  /**
   * The same frame as header, ciphertext and tag, for a vectored write. Several parts are
   * first gathered into one reused plaintext buffer: one cipher call and one output buffer
   * per frame instead of one per part (a data frame holds a type byte, piece headers and
   * blocks), which is what the sender's garbage collector paid for.
   */
  sealPieces(parts: Uint8Array[]): Buffer[] {
    let plaintextBytes = 0;
    for (const part of parts) plaintextBytes += part.length;
    if (plaintextBytes > MAX_PLAINTEXT_BYTES) throw errors.frameTooLarge(plaintextBytes + AEAD_TAG_BYTES, MAX_FRAME_BYTES);
    const cipher = aeadSealContext(this.key, this.nextNonce());
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    header.writeUInt16BE(plaintextBytes + AEAD_TAG_BYTES, 0);
    const pieces: Buffer[] = [header];
    if (plaintextBytes > 0) pieces.push(cipher.update(gather(parts, plaintextBytes)));
    cipher.final();
    pieces.push(cipher.getAuthTag());
    return pieces;
  }
}

export class FrameOpener extends CounterCipher {
  /** Opens one frame body (without its length header). Throws BAD_FRAME on any tampering. */
  open(body: Uint8Array): Buffer {
    const pieces = this.openParts([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /**
   * Opens a frame body given as consecutive parts (as FrameDecoder.pushParts returns it).
   * Returns the plaintext as one buffer (none for an empty frame), only after the tag has
   * verified: one piece per frame lets a reader parse messages that a sender kept inside
   * one frame as views, without joining chunks (bittorrent-protocol copies whenever a
   * message continues in a later chunk). A ciphertext split across socket reads is joined
   * in a reused buffer first, which is cheaper than a cipher call and output per part.
   */
  openParts(parts: Buffer[]): Buffer[] {
    let bodyBytes = 0;
    for (const part of parts) bodyBytes += part.length;
    if (bodyBytes < AEAD_TAG_BYTES) throw errors.badFrame();
    const decipher = aeadOpenContext(this.key, this.nextNonce());
    const ciphertextBytes = bodyBytes - AEAD_TAG_BYTES;
    const ciphertextParts: Buffer[] = [];
    const tagPieces: Buffer[] = [];
    let ciphertextLeft = ciphertextBytes;
    for (const part of parts) {
      const take = Math.min(ciphertextLeft, part.length);
      if (take > 0) ciphertextParts.push(take === part.length ? part : part.subarray(0, take));
      if (take < part.length) tagPieces.push(part.subarray(take));
      ciphertextLeft -= take;
    }
    const plaintext = ciphertextBytes > 0 ? [decipher.update(gather(ciphertextParts, ciphertextBytes))] : [];
    decipher.setAuthTag(tagPieces.length === 1 ? tagPieces[0]! : Buffer.concat(tagPieces));
    try {
      decipher.final();
    } catch {
      throw errors.badFrame();
    }
    return plaintext;
  }
}

/**
 * One frame's plaintext or ciphertext while a cipher call reads it. Shared by every channel:
 * the call is synchronous and its output is a new buffer, so nothing keeps it afterwards.
 */
const scratch = Buffer.allocUnsafeSlow(MAX_PLAINTEXT_BYTES + AEAD_TAG_BYTES);

/** `parts` as one buffer: the part itself when there is one, else copied into the scratch. */
function gather(parts: Uint8Array[], bytes: number): Uint8Array {
  let only: Uint8Array | undefined;
  for (const part of parts) {
    if (part.length === 0) continue;
    if (only !== undefined) return joinInto(parts, bytes);
    only = part;
  }
  return only!;
}

function joinInto(parts: Uint8Array[], bytes: number): Buffer {
  let offset = 0;
  for (const part of parts) {
    scratch.set(part, offset);
    offset += part.length;
  }
  return scratch.subarray(0, bytes);
}
