/**
 * LAN beacon datagrams: pure encode/decode and the tags that say who sent one, over bytes
 * only (no sockets). A beacon names no key, fingerprint, file name or infohash in clear:
 *
 *   0   4   magic "swB" 0x01 (version 1)
 *   4   1   flags: bit 0 = query ("answer me"); other bits zero
 *   5   2   the sender's TCP listening port, big-endian (the address is the UDP source)
 *   7   4   the sender's clock, Unix seconds, big-endian (receivers drop beacons off by > 120 s)
 *   11  16  random nonce, fresh per datagram
 *   27  1   n, presence tags (1..64, a multiple of 8: padded with random tags)
 *   28  1   m, share tags (0..16, a multiple of 4 when not 0: padded likewise)
 *   29  16n presence tags: HMAC-SHA256(pair secret, "swarm lan presence" || direction || bytes 0..28)[0..16],
 *           one per trusted key (pair secret: identity/pair-secret.ts); direction is one byte,
 *           0 when the sender's Ed25519 key sorts before the receiver's, else 1, so a node
 *           never mistakes its own beacon (made with the same symmetric secret) for its peer's
 *   ..  16m share tags: HMAC-SHA256(share key, "swarm lan share" || bytes 0..28)[0..16],
 *           share key = SHA-256("swarm share key v1" || infohash || sharer's Ed25519 key)
 *
 * Each tag covers the header (port, time, nonce), so a tag cannot be moved to another
 * beacon or port, and two beacons of one node share no byte an outsider could link.
 */
import { sha256 } from '../crypto/hash.js';
import { constantTimeEqual, mac16, randomBytes, MAC_BYTES } from '../crypto/mac.js';

export const BEACON_MAGIC = Uint8Array.of(0x73, 0x77, 0x42, 0x01);
export const BEACON_HEADER_BYTES = 29;
export const MAX_PRESENCE_TAGS = 64;
export const MAX_SHARE_TAGS = 16;
export const MAX_BEACON_BYTES = BEACON_HEADER_BYTES + (MAX_PRESENCE_TAGS + MAX_SHARE_TAGS) * MAC_BYTES;
/** How far a beacon's clock may be from ours, either way. */
export const MAX_CLOCK_SKEW_S = 120;
const PRESENCE_PADDING = 8;
const SHARE_PADDING = 4;
const FLAG_QUERY = 1;

const text = (s: string) => new TextEncoder().encode(s);
const PRESENCE_LABEL = text('swarm lan presence');
const SHARE_LABEL = text('swarm lan share');
const SHARE_KEY_LABEL = text('swarm share key v1');

export interface Beacon {
  isQuery: boolean;
  port: number;
  timeS: number;
  nonce: Uint8Array;
  header: Uint8Array;
  presenceTags: Uint8Array[];
  shareTags: Uint8Array[];
}

export interface BeaconContent {
  isQuery: boolean;
  port: number;
  timeS: number;
  /** One per trusted key this beacon is for (at most MAX_PRESENCE_TAGS), with direction(sender, that key). */
  pairSecrets: { secret: Uint8Array; direction: Uint8Array }[];
  /** shareKey() of each share this node holds (at most MAX_SHARE_TAGS). */
  shareKeys: Uint8Array[];
  nonce?: Uint8Array;
}

/** The key a share's tags are made with: only holders of the magnet (infohash and sharer key) can compute it. */
export function shareKey(infoHashHex: string, sharerPublicKey: Uint8Array): Uint8Array {
  return sha256(SHARE_KEY_LABEL, Buffer.from(infoHashHex, 'hex'), sharerPublicKey);
}

/** The sender-to-receiver direction byte of a presence tag. */
export function direction(senderKey: Uint8Array, receiverKey: Uint8Array): Uint8Array {
  return Uint8Array.of(Buffer.compare(senderKey, receiverKey) < 0 ? 0 : 1);
}

export function presenceTag(pairSecret: Uint8Array, directionByte: Uint8Array, header: Uint8Array): Uint8Array {
  return mac16(pairSecret, PRESENCE_LABEL, directionByte, header);
}

export function shareTag(key: Uint8Array, header: Uint8Array): Uint8Array {
  return mac16(key, SHARE_LABEL, header);
}

const paddedCount = (count: number, step: number) => (count === 0 ? 0 : Math.ceil(count / step) * step);

export function encodeBeacon(content: BeaconContent): Buffer {
  const { pairSecrets, shareKeys } = content;
  if (pairSecrets.length > MAX_PRESENCE_TAGS || shareKeys.length > MAX_SHARE_TAGS) throw new RangeError('too many tags for one beacon');
  if (!Number.isInteger(content.port) || content.port < 1 || content.port > 0xffff) throw new RangeError('beacon port out of range');
  // At least one presence slot, so a node that trusts nobody yet looks like every other.
  const n = Math.max(PRESENCE_PADDING, paddedCount(pairSecrets.length, PRESENCE_PADDING));
  const m = paddedCount(shareKeys.length, SHARE_PADDING);
  const out = Buffer.alloc(BEACON_HEADER_BYTES + (n + m) * MAC_BYTES);
  out.set(BEACON_MAGIC, 0);
  out[4] = content.isQuery ? FLAG_QUERY : 0;
  out.writeUInt16BE(content.port, 5);
  out.writeUInt32BE(content.timeS >>> 0, 7);
  out.set(content.nonce ?? randomBytes(16), 11);
  out[27] = n;
  out[28] = m;
  const header = out.subarray(0, BEACON_HEADER_BYTES);
  const tags = [
    ...shuffled([...pairSecrets.map(({ secret, direction }) => presenceTag(secret, direction, header)), ...fillers(n - pairSecrets.length)]),
    ...shuffled([...shareKeys.map((key) => shareTag(key, header)), ...fillers(m - shareKeys.length)]),
  ];
  tags.forEach((tag, i) => out.set(tag, BEACON_HEADER_BYTES + i * MAC_BYTES));
  return out;
}

/** A beacon, or undefined for anything that is not exactly one (never throws on hostile bytes). */
export function decodeBeacon(bytes: Uint8Array): Beacon | undefined {
  if (bytes.length < BEACON_HEADER_BYTES || bytes.length > MAX_BEACON_BYTES) return undefined;
  if (!constantTimeEqual(bytes.subarray(0, 4), BEACON_MAGIC)) return undefined;
  const flags = bytes[4]!;
  if ((flags & ~FLAG_QUERY) !== 0) return undefined;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const port = view.readUInt16BE(5);
  const n = bytes[27]!;
  const m = bytes[28]!;
  if (port === 0 || n === 0 || n > MAX_PRESENCE_TAGS || m > MAX_SHARE_TAGS) return undefined;
  if (bytes.length !== BEACON_HEADER_BYTES + (n + m) * MAC_BYTES) return undefined;
  const tagAt = (i: number) => bytes.subarray(BEACON_HEADER_BYTES + i * MAC_BYTES, BEACON_HEADER_BYTES + (i + 1) * MAC_BYTES);
  return {
    isQuery: (flags & FLAG_QUERY) !== 0,
    port,
    timeS: view.readUInt32BE(7),
    nonce: bytes.subarray(11, 27),
    header: bytes.subarray(0, BEACON_HEADER_BYTES),
    presenceTags: Array.from({ length: n }, (_, i) => tagAt(i)),
    shareTags: Array.from({ length: m }, (_, i) => tagAt(n + i)),
  };
}

/** True when `expected` is one of `tags` (each compared in constant time). */
export function hasTag(tags: readonly Uint8Array[], expected: Uint8Array): boolean {
  let found = false;
  for (const tag of tags) found = constantTimeEqual(tag, expected) || found;
  return found;
}

function fillers(count: number): Uint8Array[] {
  return Array.from({ length: count }, () => randomBytes(MAC_BYTES));
}

// Tag order would otherwise say which slots are padding (the real ones first).
function shuffled<T>(items: T[]): T[] {
  const random = randomBytes(items.length * 4);
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.readUInt32BE(i * 4) % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
