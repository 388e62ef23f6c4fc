/**
 * ChaCha20-Poly1305 (RFC 8439) over node:crypto, the AEAD of every swarm frame.
 *
 * Keys are 32 bytes, nonces 12 bytes, tags 16 bytes appended to the ciphertext.
 * Anything else is refused here rather than passed to OpenSSL, which would accept
 * shorter nonces and tags and so silently weaken the construction.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;

const EMPTY = Buffer.alloc(0);

function checkKeyAndNonce(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== AEAD_KEY_BYTES) throw new RangeError(`chacha20-poly1305 key must be ${AEAD_KEY_BYTES} bytes`);
  if (nonce.length !== AEAD_NONCE_BYTES) throw new RangeError(`chacha20-poly1305 nonce must be ${AEAD_NONCE_BYTES} bytes`);
}

/** Encrypts `plaintext`; returns ciphertext || tag (plaintext.length + 16 bytes). */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array = EMPTY): Buffer {
  checkKeyAndNonce(key, nonce);
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES });
  if (ad.length > 0) cipher.setAAD(ad, { plaintextLength: plaintext.length });
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([body, cipher.getAuthTag()], body.length + AEAD_TAG_BYTES);
}

/**
 * Decrypts ciphertext || tag. Returns the plaintext, or null when the tag does not verify
 * (wrong key, nonce, associated data, or any altered byte). No plaintext escapes on failure.
 */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array = EMPTY): Buffer | null {
  checkKeyAndNonce(key, nonce);
  if (sealed.length < AEAD_TAG_BYTES) return null;
  const bodyLength = sealed.length - AEAD_TAG_BYTES;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(bodyLength));
  if (ad.length > 0) decipher.setAAD(ad, { plaintextLength: bodyLength });
  const plaintext = decipher.update(sealed.subarray(0, bodyLength));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return plaintext;
}

/**
 * One frame's cipher context, for callers that encrypt a message in several pieces (the
 * transport's vectored writes): update() each piece, then final() and authTag().
 * The caller owns nonce uniqueness; key and nonce lengths are checked as above.
 */
export interface AeadSealContext {
  update(piece: Uint8Array): Buffer;
  final(): Buffer;
  getAuthTag(): Buffer;
}

export interface AeadOpenContext {
  update(piece: Uint8Array): Buffer;
  setAuthTag(tag: Uint8Array): unknown;
  /** Throws when the tag does not verify; plaintext from update() must not be used then. */
  final(): Buffer;
}

export function aeadSealContext(key: Uint8Array, nonce: Uint8Array): AeadSealContext {
  checkKeyAndNonce(key, nonce);
  return createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES });
}

export function aeadOpenContext(key: Uint8Array, nonce: Uint8Array): AeadOpenContext {
  checkKeyAndNonce(key, nonce);
  return createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES });
}
