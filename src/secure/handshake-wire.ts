/**
 * Byte layout of handshake v2 (docs/protocol.md section 1), pure:
 *
 *   message 1 (307 bytes): "SWARM" 0x02 ‖ e (32) ‖ enc s (48) ‖ enc payload (189) ‖ mac1 (16) ‖ mac2 (16)
 *   payload (173 bytes):   Ed25519 key (32) ‖ signature (64) ‖ TAI64N (12) ‖ n (1) ‖ channel padded to 64
 *   message 2 (49 bytes):  0x02 ‖ e (32) ‖ tag (16)
 *   cookie reply (45):     0x03 ‖ nonce (12) ‖ AEAD(cookie) (32)
 *
 * Fixed sizes, so nothing is framed before the session keys exist and an unauthenticated
 * peer can make a node buffer at most one message 1.
 */
import { errors } from '../errors.js';

export const V2_MARKER = Buffer.from([0x53, 0x57, 0x41, 0x52, 0x4d, 0x02]); // "SWARM" 2
export const V1_PREAMBLE = Buffer.from([0x53, 0x57, 0x41, 0x52, 0x4d, 0x01]); // "SWARM" 1
export const MARKER_BYTES = V2_MARKER.length;
export const MESSAGE1_BYTES = 307;
export const MAC1_OFFSET = 275;
export const MAC2_OFFSET = 291;
export const MESSAGE2_BYTES = 49;
export const COOKIE_REPLY_BYTES = 45;
export const TYPE_MESSAGE2 = 0x02;
export const TYPE_COOKIE_REPLY = 0x03;
export const PAYLOAD_BYTES = 173;
export const MAX_CHANNEL_BYTES = 64;
const IDENTITY_BYTES = 96;
const TIMESTAMP_BYTES = 12;
const TAI64_OFFSET = 2n ** 62n;
const NS_PER_SECOND = 1_000_000_000n;

export interface Message1Payload {
  identity: Buffer;
  /** Nanoseconds since the Unix epoch (the TAI64N label without its 2^62 offset). */
  timestampNs: bigint;
  channel: string;
}

export function encodePayload(identity: Uint8Array, timestampNs: bigint, channel: string): Buffer {
  const name = Buffer.from(channel, 'utf8');
  if (name.length < 1 || name.length > MAX_CHANNEL_BYTES) throw errors.badChannel(`a channel name of 1 to ${MAX_CHANNEL_BYTES} bytes`, channel);
  const out = Buffer.alloc(PAYLOAD_BYTES);
  Buffer.from(identity).copy(out, 0);
  out.writeBigUInt64BE(TAI64_OFFSET + timestampNs / NS_PER_SECOND, IDENTITY_BYTES);
  out.writeUInt32BE(Number(timestampNs % NS_PER_SECOND), IDENTITY_BYTES + 8);
  out[IDENTITY_BYTES + TIMESTAMP_BYTES] = name.length;
  name.copy(out, IDENTITY_BYTES + TIMESTAMP_BYTES + 1);
  return out;
}

/** Throws BAD_HANDSHAKE on a wrong size, a label before 2^62, nanoseconds ≥ 10^9, a bad length or non-zero padding. */
export function decodePayload(payload: Uint8Array): Message1Payload {
  if (payload.length !== PAYLOAD_BYTES) throw errors.badHandshake(`message 1 payload is ${payload.length} bytes`);
  const bytes = Buffer.from(payload);
  const seconds = bytes.readBigUInt64BE(IDENTITY_BYTES);
  const nanoseconds = bytes.readUInt32BE(IDENTITY_BYTES + 8);
  if (seconds < TAI64_OFFSET || BigInt(nanoseconds) >= NS_PER_SECOND) throw errors.badHandshake('malformed timestamp');
  const nameStart = IDENTITY_BYTES + TIMESTAMP_BYTES + 1;
  const length = bytes[nameStart - 1]!;
  if (length < 1 || length > MAX_CHANNEL_BYTES) throw errors.badHandshake('bad channel name length');
  if (bytes.subarray(nameStart + length).some((byte) => byte !== 0)) throw errors.badHandshake('non-zero padding');
  return {
    identity: bytes.subarray(0, IDENTITY_BYTES),
    timestampNs: (seconds - TAI64_OFFSET) * NS_PER_SECOND + BigInt(nanoseconds),
    channel: bytes.subarray(nameStart, nameStart + length).toString('utf8'),
  };
}

let lastTimestampNs = 0n;

/** The wall clock in ns, strictly increasing within this process (WireGuard §5.1: monotonic per initiator). */
export function nextTimestampNs(nowMs: number = Date.now()): bigint {
  const clockNs = BigInt(Math.floor(nowMs)) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
  lastTimestampNs = clockNs > lastTimestampNs ? clockNs : lastTimestampNs + 1n;
  return lastTimestampNs;
}
