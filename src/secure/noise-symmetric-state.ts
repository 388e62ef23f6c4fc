/** Noise SymmetricState (spec section 5.2) with SHA256 and HKDF-SHA256. */
import { hmacSha256, sha256 } from '../crypto/hkdf.js';
import { CipherState } from './noise-cipher-state.js';

const HASH_BYTES = 32;
const EMPTY = Buffer.alloc(0);
const BLOCK_1 = Buffer.of(1);
const BLOCK_2 = Buffer.of(2);
const BLOCK_3 = Buffer.of(3);

/**
 * Noise's HKDF (spec section 4.3): RFC 5869 with the chaining key as salt and empty info,
 * written out as its three (or four) HMACs so each output is its own 32-byte buffer with no
 * concatenation and slicing around it; it runs five times per side of every handshake.
 */
function noiseHkdf(chainingKey: Buffer, ikm: Uint8Array, outputs: 2 | 3): Buffer[] {
  const tempKey = hmacSha256(chainingKey, ikm);
  const first = hmacSha256(tempKey, BLOCK_1);
  const second = hmacSha256(tempKey, first, BLOCK_2);
  return outputs === 2 ? [first, second] : [first, second, hmacSha256(tempKey, second, BLOCK_3)];
}

// The state a protocol name starts from is the same for every handshake: computed once.
const initialHashes = new Map<string, Buffer>();
function initialHash(protocolName: string): Buffer {
  let hash = initialHashes.get(protocolName);
  if (!hash) {
    const name = Buffer.from(protocolName, 'ascii');
    hash = name.length <= HASH_BYTES ? Buffer.concat([name, Buffer.alloc(HASH_BYTES - name.length)]) : sha256(name);
    if (initialHashes.size < 64) initialHashes.set(protocolName, hash);
  }
  return hash;
}

export class SymmetricState {
  readonly cipher = new CipherState();
  chainingKey: Buffer;
  handshakeHash: Buffer;

  constructor(protocolName: string) {
    // Shared, never written to: every step below replaces these buffers instead.
    this.handshakeHash = initialHash(protocolName);
    this.chainingKey = this.handshakeHash;
  }

  mixKey(ikm: Uint8Array): void {
    const [chainingKey, key] = noiseHkdf(this.chainingKey, ikm, 2);
    this.chainingKey = chainingKey!;
    this.cipher.initializeKey(key!);
  }

  mixHash(data: Uint8Array): void {
    this.handshakeHash = sha256(this.handshakeHash, data);
  }

  mixKeyAndHash(ikm: Uint8Array): void {
    const [chainingKey, hashInput, key] = noiseHkdf(this.chainingKey, ikm, 3);
    this.chainingKey = chainingKey!;
    this.mixHash(hashInput!);
    this.cipher.initializeKey(key!);
  }

  encryptAndHash(plaintext: Uint8Array): Buffer {
    const ciphertext = this.cipher.encryptWithAd(this.handshakeHash, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  decryptAndHash(ciphertext: Uint8Array): Buffer {
    const plaintext = this.cipher.decryptWithAd(this.handshakeHash, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** Returns the two transport keys: [initiator -> responder, responder -> initiator]. */
  split(): [Buffer, Buffer] {
    const [first, second] = noiseHkdf(this.chainingKey, EMPTY, 2);
    return [first!, second!];
  }
}
