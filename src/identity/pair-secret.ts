/**
 * The secret two trusted peers share without ever exchanging it: X25519 of one's identity
 * secret with the other's identity public key, both Ed25519 keys mapped to X25519 (the same
 * mapping direct messages use). Either side computes the same 32 bytes; someone who knows
 * only the two public keys cannot. LAN discovery keys its presence tags with it.
 */
import { edPublicKeyToX25519, edSecretKeyToX25519 } from '../crypto/box-keys.js';
import { hkdfSha256 } from '../crypto/hkdf.js';
import { dh, dhKeyPairFromSecret, type DhKeyPair } from '../crypto/noise-dh.js';

const PAIR_SECRET_INFO = new TextEncoder().encode('swarm pair secret v1');

/** Computes pair secrets for one identity; keeps its X25519 key object between calls. */
export class PairSecrets {
  private readonly ours: DhKeyPair;
  private readonly cache = new Map<string, Uint8Array | undefined>();

  constructor(identitySecretKey: Uint8Array, private readonly maxCached = 4096) {
    this.ours = dhKeyPairFromSecret(edSecretKeyToX25519(identitySecretKey));
  }

  /** The secret shared with `theirPublicKey` (Ed25519), or undefined for a key with no X25519 form. */
  with(theirPublicKey: Uint8Array): Uint8Array | undefined {
    const id = Buffer.from(theirPublicKey).toString('hex');
    if (this.cache.has(id)) return this.cache.get(id);
    const theirs = edPublicKeyToX25519(theirPublicKey);
    let secret: Uint8Array | undefined;
    try {
      // HKDF so the raw DH output is never used as a key itself.
      secret = theirs ? hkdfSha256(dh(this.ours, theirs), new Uint8Array(0), PAIR_SECRET_INFO, 32) : undefined;
    } catch {
      secret = undefined; // a low-order point: no secret with that key
    }
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, secret);
    return secret;
  }
}
