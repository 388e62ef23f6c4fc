/**
 * The 20-byte DHT keys swarm announces and looks up under. Neither is an infohash or a
 * public key, nor can a stranger compute one from what is public:
 *
 *   share key    = SHA-256("swarm-dht-share-v1" || infohash (20 bytes) || sharer's Ed25519 key (32))[0..20]
 *                  (holders of the magnet, which carries both, can compute it)
 *   presence key = HMAC-SHA256(pair secret, "swarm-dht-presence-v1" || UTC day (4 bytes, big-endian))[0..20]
 *                  (pair secret: identity/pair-secret.ts; UTC day = floor(Unix ms / 86 400 000))
 *
 * Both peers of a pair compute the same presence key and both announce under it, so a day's
 * key says nothing about direction and the next day's key is unrelated to it.
 */
import { hmacSha256 } from '../crypto/hkdf.js';
import { sha256 } from '../crypto/hash.js';

export const DHT_KEY_BYTES = 20;
export const DAY_MS = 86_400_000;
const SHARE_LABEL = new TextEncoder().encode('swarm-dht-share-v1');
const PRESENCE_LABEL = new TextEncoder().encode('swarm-dht-presence-v1');

export function dhtShareKey(infoHashHex: string, sharerPublicKey: Uint8Array): Buffer {
  return sha256(SHARE_LABEL, Buffer.from(infoHashHex, 'hex'), sharerPublicKey).subarray(0, DHT_KEY_BYTES);
}

export function utcDay(nowMs: number): number {
  return Math.floor(nowMs / DAY_MS);
}

export function dhtPresenceKey(pairSecret: Uint8Array, day: number): Buffer {
  const dayBytes = Buffer.alloc(4);
  dayBytes.writeUInt32BE(day >>> 0);
  return hmacSha256(pairSecret, PRESENCE_LABEL, dayBytes).subarray(0, DHT_KEY_BYTES);
}
