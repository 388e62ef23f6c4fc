/**
 * nacl.box (X25519 + XSalsa20-Poly1305) through tweetnacl, split into "agree on a shared key
 * once per peer" and "seal / open with it", as chat's direct messages use it.
 */
import nacl from 'tweetnacl';

export const BOX_NONCE_BYTES = nacl.box.nonceLength;
export const BOX_OVERHEAD_BYTES = nacl.box.overheadLength;

export function boxSharedKey(theirPublicX25519: Uint8Array, mySecretX25519: Uint8Array): Uint8Array {
  return nacl.box.before(theirPublicX25519, mySecretX25519);
}

export function randomBoxNonce(): Uint8Array {
  return nacl.randomBytes(BOX_NONCE_BYTES);
}

export function sealBox(plaintext: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array {
  return nacl.box.after(plaintext, nonce, sharedKey);
}

/** The plaintext, or undefined when the box does not authenticate. */
export function openBox(box: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array | undefined {
  return nacl.box.open.after(box, nonce, sharedKey) ?? undefined;
}
