// A chat message and its signed encoding.
//
// Wire/disk encoding of one message (all integers big-endian):
//   1. author      32 bytes  Ed25519 public key of the author
//   2. seq          8 bytes  per-author sequence number, strictly increasing (< 2^53)
//   3. ts           8 bytes  author's clock, milliseconds since the Unix epoch
//   4. kind         1 byte   1 = public text, 2 = direct (body is a sealed envelope)
//   5. bodyLength   2 bytes  at most MAX_BODY_BYTES
//   6. body         bodyLength bytes (UTF-8 text, or the direct-message envelope)
//   7. signature   64 bytes  Ed25519 over SIGN_LABEL || fields 1-6
// The message id is SHA-256(SIGN_LABEL || fields 1-6), hex: a hash of the signed bytes.
import { sha256 } from '../crypto/hash.js';
import { isAcceptablePublicKey, sign, verify } from '../crypto/ed25519.js';

export const SIGN_LABEL = new TextEncoder().encode('swarm-chat-v1\0');
export const MAX_BODY_BYTES = 8192;
export const HEADER_BYTES = 32 + 8 + 8 + 1 + 2;
export const SIGNATURE_BYTES = 64;

export const MessageKind = { Public: 1, Direct: 2 } as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

export interface ChatMessage {
  author: Uint8Array;
  seq: number;
  ts: number;
  kind: MessageKind;
  body: Uint8Array;
  signature: Uint8Array;
  /** Hex SHA-256 of the signed bytes. */
  id: string;
  /** Fields 1-7 exactly as signed and sent; relays forward these bytes untouched. */
  encoded: Uint8Array;
}

export interface UnsignedMessage {
  author: Uint8Array;
  seq: number;
  ts: number;
  kind: MessageKind;
  body: Uint8Array;
}

function encodeUnsigned(message: UnsignedMessage): Uint8Array {
  if (message.author.length !== 32) throw new RangeError('author must be a 32-byte key');
  if (message.body.length > MAX_BODY_BYTES) throw new RangeError(`body over ${MAX_BODY_BYTES} bytes`);
  if (!Number.isSafeInteger(message.seq) || message.seq < 0) throw new RangeError('bad sequence number');
  if (!Number.isSafeInteger(message.ts) || message.ts < 0) throw new RangeError('bad timestamp');
  const out = new Uint8Array(HEADER_BYTES + message.body.length + SIGNATURE_BYTES);
  const view = new DataView(out.buffer);
  out.set(message.author, 0);
  view.setBigUint64(32, BigInt(message.seq));
  view.setBigUint64(40, BigInt(message.ts));
  view.setUint8(48, message.kind);
  view.setUint16(49, message.body.length);
  out.set(message.body, HEADER_BYTES);
  return out; // signature slot left zero, filled by the caller
}

function signedBytes(encoded: Uint8Array): Uint8Array {
  const unsignedLength = encoded.length - SIGNATURE_BYTES;
  const out = new Uint8Array(SIGN_LABEL.length + unsignedLength);
  out.set(SIGN_LABEL, 0);
  out.set(encoded.subarray(0, unsignedLength), SIGN_LABEL.length);
  return out;
}

function hashHex(bytes: Uint8Array): string {
  return sha256(bytes).toString('hex');
}

/** Builds and signs a message with the author's tweetnacl 64-byte secret key. */
export function signMessage(message: UnsignedMessage, secretKey: Uint8Array): ChatMessage {
  const encoded = encodeUnsigned(message);
  const toSign = signedBytes(encoded);
  const signature = sign(toSign, secretKey);
  encoded.set(signature, encoded.length - SIGNATURE_BYTES);
  return {
    ...message,
    signature: encoded.subarray(encoded.length - SIGNATURE_BYTES),
    id: hashHex(toSign),
    encoded,
  };
}

/**
 * Parses fields 1-7 without checking the signature (the caller first drops cheap
 * rejects such as untrusted authors and replays). Returns undefined when malformed.
 */
export function decodeMessage(encoded: Uint8Array): Omit<ChatMessage, 'id'> | undefined {
  if (encoded.length < HEADER_BYTES + SIGNATURE_BYTES) return undefined;
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const seq = view.getBigUint64(32);
  const ts = view.getBigUint64(40);
  const kind = view.getUint8(48);
  const bodyLength = view.getUint16(49);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER) || ts > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  if (kind !== MessageKind.Public && kind !== MessageKind.Direct) return undefined;
  if (bodyLength > MAX_BODY_BYTES) return undefined;
  if (encoded.length !== HEADER_BYTES + bodyLength + SIGNATURE_BYTES) return undefined;
  if (!isAcceptablePublicKey(encoded.subarray(0, 32))) return undefined; // weak key: forgeable signatures
  return {
    author: encoded.subarray(0, 32),
    seq: Number(seq),
    ts: Number(ts),
    kind,
    body: encoded.subarray(HEADER_BYTES, HEADER_BYTES + bodyLength),
    signature: encoded.subarray(HEADER_BYTES + bodyLength),
    encoded,
  };
}

/** Verifies the author's signature; returns the message with its id, or undefined if forged. */
export function verifyMessage(message: Omit<ChatMessage, 'id'>): ChatMessage | undefined {
  const toSign = signedBytes(message.encoded);
  if (!verify(toSign, message.signature, message.author)) return undefined;
  return { ...message, id: hashHex(toSign) };
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
export function bodyText(message: { body: Uint8Array }): string {
  return utf8Decoder.decode(message.body);
}

/** Hex of a public key: the map key used for per-author state. */
export function authorId(publicKey: Uint8Array): string {
  return Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex');
}
