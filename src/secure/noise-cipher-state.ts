/**
 * Noise CipherState for ChaChaPoly (spec section 5.1): a key and a 64-bit counter nonce,
 * encoded as 4 zero bytes followed by the counter little-endian.
 */
import { aeadOpen, aeadSeal } from '../crypto/aead.js';

const EMPTY = Buffer.alloc(0);
// 2^64-1 is reserved by Noise; a JS number counts exactly to 2^53, far beyond any session here.
const MAX_NONCE = Number.MAX_SAFE_INTEGER;

export function writeNonce(nonce: Buffer, counter: number): void {
  nonce.writeUInt32LE(0, 0);
  nonce.writeUInt32LE(counter >>> 0, 4);
  nonce.writeUInt32LE(Math.floor(counter / 0x100000000), 8);
}

export class CipherState {
  private key: Buffer | null = null;
  private counter = 0;
  private readonly nonce = Buffer.alloc(12);

  constructor(key?: Uint8Array) {
    if (key) this.initializeKey(key);
  }

  initializeKey(key: Uint8Array): void {
    this.key = Buffer.from(key);
    this.counter = 0;
  }

  hasKey(): boolean {
    return this.key !== null;
  }

  get nonceCounter(): number {
    return this.counter;
  }

  /** Reads the key out, for moving it into a transport cipher. */
  exportKey(): Buffer {
    if (!this.key) throw new Error('cipher state has no key');
    return this.key;
  }

  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Buffer {
    if (!this.key) return Buffer.from(plaintext);
    const sealed = aeadSeal(this.key, this.nextNonce(), plaintext, ad);
    this.counter++;
    return sealed;
  }

  /** Throws if authentication fails; the counter advances only on success (spec 5.1). */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Buffer {
    if (!this.key) return Buffer.from(ciphertext);
    const plaintext = aeadOpen(this.key, this.nextNonce(), ciphertext, ad.length > 0 ? ad : EMPTY);
    if (plaintext === null) throw new Error('Noise decryption failed (bad tag)');
    this.counter++;
    return plaintext;
  }

  private nextNonce(): Buffer {
    if (this.counter >= MAX_NONCE) throw new Error('Noise nonce exhausted');
    writeNonce(this.nonce, this.counter);
    return this.nonce;
  }
}
