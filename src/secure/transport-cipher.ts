/**
 * Noise transport messages on the wire (after the handshake), one direction each:
 *
 *   1. 2 bytes  length L = plaintext bytes + 16, big-endian (so L <= 65,535)
 *   2. L bytes  ChaCha20-Poly1305(key, nonce = 0^32 || counter as uint64 LE, ad = empty) || tag
 *
 * The counter starts at 0 and counts frames, so a dropped, replayed or reordered frame is
 * opened under the wrong nonce and fails authentication. Nothing is released before the
 * tag verifies. These are Noise CipherState messages, built here directly on one AEAD
 * context per frame (crypto/aead.ts) so a frame costs one cipher object and one copy.
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
   * The same frame as header, ciphertext piece(s) and tag, for a vectored write: saves
   * copying every byte once more on the bulk path.
   */
  sealPieces(parts: Uint8Array[]): Buffer[] {
    let plaintextBytes = 0;
    for (const part of parts) plaintextBytes += part.length;
    if (plaintextBytes > MAX_PLAINTEXT_BYTES) throw errors.frameTooLarge(plaintextBytes + AEAD_TAG_BYTES, MAX_FRAME_BYTES);
    const cipher = aeadSealContext(this.key, this.nextNonce());
    const pieces: Buffer[] = [Buffer.allocUnsafe(FRAME_HEADER_BYTES)];
    pieces[0]!.writeUInt16BE(plaintextBytes + AEAD_TAG_BYTES, 0);
    for (const part of parts) if (part.length > 0) pieces.push(cipher.update(part));
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
   * Opens a frame body given as consecutive parts (as FrameDecoder.pushParts returns it),
   * decrypting part by part. Returns the plaintext pieces only after the tag has verified.
   */
  openParts(parts: Buffer[]): Buffer[] {
    let bodyBytes = 0;
    for (const part of parts) bodyBytes += part.length;
    if (bodyBytes < AEAD_TAG_BYTES) throw errors.badFrame();
    const decipher = aeadOpenContext(this.key, this.nextNonce());
    const plaintext: Buffer[] = [];
    const tagPieces: Buffer[] = [];
    let ciphertextLeft = bodyBytes - AEAD_TAG_BYTES;
    for (const part of parts) {
      const ciphertextBytes = Math.min(ciphertextLeft, part.length);
      if (ciphertextBytes > 0) plaintext.push(decipher.update(ciphertextBytes === part.length ? part : part.subarray(0, ciphertextBytes)));
      if (ciphertextBytes < part.length) tagPieces.push(part.subarray(ciphertextBytes));
      ciphertextLeft -= ciphertextBytes;
    }
    decipher.setAuthTag(tagPieces.length === 1 ? tagPieces[0]! : Buffer.concat(tagPieces));
    try {
      decipher.final();
    } catch {
      throw errors.badFrame();
    }
    return plaintext;
  }
}
