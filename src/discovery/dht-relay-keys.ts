/**
 * Relay hints in the DHT (docs/protocol.md, "Relay hints"): a node reachable only through a
 * relay asks the relay to announce these keys with the relay's own address, since an
 * announce_peer stores the UDP source and the node's own would be its router's. A record
 * kind of its own (its own label), so a getter knows an answer here is a relay for the key,
 * not the key itself, and calls through it instead of dialling it as the key:
 *
 *   share relay key    = SHA-256("swarm-dht-share-relay-v1" || infohash (20) || sharer key (32))[0..20]
 *   presence relay key = HMAC-SHA256(pair secret, "swarm-dht-presence-relay-v1" || UTC day (4, BE))[0..20]
 */
import { hmacSha256 } from '../crypto/hkdf.js';
import { sha256 } from '../crypto/hash.js';
import { MAX_HINTS } from '../relay/relay-hints.js';
import { DHT_KEY_BYTES, utcDay } from './dht-keys.js';

const SHARE_RELAY_LABEL = new TextEncoder().encode('swarm-dht-share-relay-v1');
const PRESENCE_RELAY_LABEL = new TextEncoder().encode('swarm-dht-presence-relay-v1');

export function dhtShareRelayKey(infoHashHex: string, sharerPublicKey: Uint8Array): Buffer {
  return sha256(SHARE_RELAY_LABEL, Buffer.from(infoHashHex, 'hex'), sharerPublicKey).subarray(0, DHT_KEY_BYTES);
}

export function dhtPresenceRelayKey(pairSecret: Uint8Array, day: number): Buffer {
  const dayBytes = Buffer.alloc(4);
  dayBytes.writeUInt32BE(day >>> 0);
  return hmacSha256(pairSecret, PRESENCE_RELAY_LABEL, dayBytes).subarray(0, DHT_KEY_BYTES);
}

/**
 * The relay-hint keys a node registered with a relay asks it to announce: its own shares
 * (those whose sharer key is its own: a getter calls the sharer's key) and, for chat, the
 * presence relay key of the day with each trusted key.
 */
export function ownRelayHintKeys(options: {
  identity: { publicKey: Uint8Array };
  pairs?: { with(theirPublicKey: Uint8Array): Uint8Array | undefined };
  held: { infoHash: string; sharerKey: Uint8Array }[];
  presenceWith?: Uint8Array[];
  nowMs: number;
}): Buffer[] {
  const own = Buffer.from(options.identity.publicKey);
  const keys: Buffer[] = [];
  for (const ref of options.held) if (own.equals(ref.sharerKey)) keys.push(dhtShareRelayKey(ref.infoHash, ref.sharerKey));
  const day = utcDay(options.nowMs);
  for (const peerKey of options.presenceWith ?? []) {
    const secret = own.equals(peerKey) ? undefined : options.pairs?.with(peerKey);
    if (secret) keys.push(dhtPresenceRelayKey(secret, day));
  }
  return keys.slice(0, MAX_HINTS);
}
