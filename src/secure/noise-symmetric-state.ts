/** Noise SymmetricState (spec section 5.2) with SHA256 and HKDF-SHA256. */
import { hkdfSha256, sha256 } from '../crypto/hkdf.js';
import { CipherState } from './noise-cipher-state.js';

const HASH_BYTES = 32;
const EMPTY = Buffer.alloc(0);

function noiseHkdf(chainingKey: Buffer, ikm: Uint8Array, outputs: 2 | 3): Buffer[] {
  const okm = hkdfSha256(ikm, chainingKey, EMPTY, outputs * HASH_BYTES);
  const parts: Buffer[] = [];
  for (let i = 0; i < outputs; i++) parts.push(okm.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  return parts;
}

export class SymmetricState {
  readonly cipher = new CipherState();
  chainingKey: Buffer;
  handshakeHash: Buffer;

  constructor(protocolName: string) {
    const name = Buffer.from(protocolName, 'ascii');
    this.handshakeHash = name.length <= HASH_BYTES ? Buffer.concat([name, Buffer.alloc(HASH_BYTES - name.length)]) : sha256(name);
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
    return [Buffer.from(first!), Buffer.from(second!)];
  }
}
