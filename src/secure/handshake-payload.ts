/**
 * The identity part of handshake v2's message 1 payload (v1: of messages 2 and 3), binding
 * the initiator's Ed25519 identity to its Noise static key (the js-libp2p-noise shape):
 *
 *   1. 32 bytes  Ed25519 public key (the key people trust)
 *   2. 64 bytes  Ed25519 signature over  "swarm-noise-static-key:" || Noise static public key
 *
 * Noise authenticates the static X25519 key; the signature proves the Ed25519 key holder
 * chose that static key. The payload travels encrypted, so identities are hidden from a
 * passive observer. Signing is deterministic, so a node signs once and reuses the result.
 */
import { isAcceptablePublicKey, sign, verify } from '../crypto/ed25519.js';
import { errors } from '../errors.js';

export const STATIC_KEY_SIGNATURE_LABEL = Buffer.from('swarm-noise-static-key:', 'ascii');
export const IDENTITY_PAYLOAD_BYTES = 32 + 64;

export interface SigningIdentity {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  noisePublicKey: Uint8Array;
  noiseSecretKey: Uint8Array;
}

const payloadCache = new WeakMap<Uint8Array, { noisePublicKey: Uint8Array; payload: Buffer }>();

export function encodeIdentityPayload(identity: SigningIdentity): Buffer {
  const cached = payloadCache.get(identity.secretKey);
  if (cached && Buffer.from(cached.noisePublicKey).equals(identity.noisePublicKey)) return cached.payload;
  const signature = sign(Buffer.concat([STATIC_KEY_SIGNATURE_LABEL, identity.noisePublicKey]), identity.secretKey);
  const payload = Buffer.concat([identity.publicKey, signature]);
  payloadCache.set(identity.secretKey, { noisePublicKey: identity.noisePublicKey, payload });
  return payload;
}

// Verification results are cached: a peer reconnecting proves the same (key, static key,
// signature) triple, and Ed25519 verification is the costliest step of a handshake. Sound
// because verification is a pure function of that triple: a hit needs the very bytes that
// verified before (static key -> the payload that proved it, compared in full).
const verifiedPayloads = new Map<string, Buffer>();
const VERIFIED_CACHE_LIMIT = 4096;

/** Returns the Ed25519 key the payload proves for `remoteStaticKey`; throws if it proves none. */
export function verifyIdentityPayload(payload: Uint8Array, remoteStaticKey: Uint8Array): Buffer {
  if (payload.length !== IDENTITY_PAYLOAD_BYTES) throw errors.badHandshake(`identity payload is ${payload.length} bytes, expected ${IDENTITY_PAYLOAD_BYTES}`);
  const publicKey = Buffer.from(payload.subarray(0, 32));
  const signature = payload.subarray(32);
  const cacheKey = Buffer.from(remoteStaticKey.buffer, remoteStaticKey.byteOffset, remoteStaticKey.byteLength).toString('base64');
  if (verifiedPayloads.get(cacheKey)?.equals(payload)) return publicKey;
  // A small-order key's signature can be forged without any secret (see isAcceptablePublicKey).
  if (!isAcceptablePublicKey(publicKey)) throw errors.badHandshake('the identity key is a weak (small-order or non-canonical) point');
  if (!verify(Buffer.concat([STATIC_KEY_SIGNATURE_LABEL, remoteStaticKey]), signature, publicKey)) {
    throw errors.badHandshake('the identity signature does not match the Noise static key');
  }
  if (verifiedPayloads.size >= VERIFIED_CACHE_LIMIT) verifiedPayloads.clear();
  verifiedPayloads.set(cacheKey, Buffer.from(payload));
  return publicKey;
}

/** Forgets cached verifications (benchmarks measure the uncached cost with it). */
export function clearVerifiedPayloadCache(): void {
  verifiedPayloads.clear();
}
