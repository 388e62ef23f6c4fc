/**
 * Noise transport messages on the wire (after the handshake), one direction each:
 *
 *   1. 2 bytes  length L = plaintext bytes + 16, big-endian (so L <= 65,535)
 *   2. L bytes  ChaCha20-Poly1305(key, nonce = 0^32 || counter as uint64 LE, ad = empty) || tag
 *
 * The counter starts at 0 and counts frames, so a dropped, replayed or reordered frame is
 * opened under the wrong nonce and fails authentication. Nothing is released before the
 * tag verifies. These are Noise CipherState messages, built here directly on node:crypto
 * so a frame costs one cipher object and one copy.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AEAD_TAG_BYTES } from '../crypto/aead.js';
import { writeNonce } from './noise-cipher-state.js';
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from './frame-codec.js';
import { secureErrors } from './secure-errors.js';

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
    if (this.counter >= MAX_COUNTER) throw secureErrors.badFrame();
    writeNonce(this.nonce, this.counter++);
    return this.nonce;
  }
}

export class FrameSealer extends CounterCipher {
  /** Seals `parts` (together at most MAX_PLAINTEXT_BYTES) into one framed transport message. */
  seal(...parts: Uint8Array[]): Buffer {
    let plaintextBytes = 0;
    for (const part of parts) plaintextBytes += part.length;
    if (plaintextBytes > MAX_PLAINTEXT_BYTES) throw secureErrors.frameTooLarge(plaintextBytes + AEAD_TAG_BYTES, MAX_FRAME_BYTES);
    const cipher = createCipheriv('chacha20-poly1305', this.key, this.nextNonce(), { authTagLength: AEAD_TAG_BYTES });
    const pieces: Buffer[] = [Buffer.allocUnsafe(FRAME_HEADER_BYTES)];
    pieces[0]!.writeUInt16BE(plaintextBytes + AEAD_TAG_BYTES, 0);
    for (const part of parts) if (part.length > 0) pieces.push(cipher.update(part));
    cipher.final();
    pieces.push(cipher.getAuthTag());
    return Buffer.concat(pieces, FRAME_HEADER_BYTES + plaintextBytes + AEAD_TAG_BYTES);
  }
}

export class FrameOpener extends CounterCipher {
  /** Opens one frame body (without its length header). Throws BAD_FRAME on any tampering. */
  open(body: Uint8Array): Buffer {
    if (body.length < AEAD_TAG_BYTES) throw secureErrors.badFrame();
    const ciphertextBytes = body.length - AEAD_TAG_BYTES;
    const decipher = createDecipheriv('chacha20-poly1305', this.key, this.nextNonce(), { authTagLength: AEAD_TAG_BYTES });
    decipher.setAuthTag(body.subarray(ciphertextBytes));
    const plaintext = ciphertextBytes > 0 ? decipher.update(body.subarray(0, ciphertextBytes)) : Buffer.alloc(0);
    try {
      decipher.final();
    } catch {
      throw secureErrors.badFrame();
    }
    return plaintext;
  }
}
