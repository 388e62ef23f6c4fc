/**
 * CPace (draft-irtf-cfrg-cpace, the CFRG's balanced PAKE) with the suite
 * CPACE-RISTR255-SHA512: group ristretto255 (RFC 9496) from @noble/curves, hash SHA-512.
 * Pure functions over bytes; test/crypto/cpace.test.ts checks them against the draft's
 * published vectors (fixtures/vectors/cpace/).
 *
 * Both sides derive a generator from the password (PRS), a channel identifier (CI) and a
 * session id (sid), send y*g, and hash the shared point with the transcript into the
 * intermediate session key ISK. A wrong password gives an unrelated ISK, and a share never
 * lets an observer or a peer test further passwords offline: one guess per run.
 */
import { randomBytes } from 'node:crypto';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { sha512 } from './hash.js';

type RistrettoPoint = InstanceType<typeof ristretto255.Point>;

export const CPACE_DSI = new TextEncoder().encode('CPaceRistretto255');
export const CPACE_SHARE_BYTES = 32;
export const CPACE_ISK_BYTES = 64;
const SHA512_BLOCK_BYTES = 128;
const GROUP_SIZE_BITS = 252;
const ISK_LABEL = new TextEncoder().encode('CPaceRistretto255_ISK');
const SID_OUTPUT_LABEL = new TextEncoder().encode('CPaceSidOutput');
const OC_PREFIX = new TextEncoder().encode('oc');

/** LEB128 of a length (7 bits a byte, least significant first). */
export function leb128(value: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Uint8Array.from(out);
}

export function prependLen(data: Uint8Array): Uint8Array {
  return concat(leb128(data.length), data);
}

export function lvCat(...parts: Uint8Array[]): Uint8Array {
  return concat(...parts.map(prependLen));
}

/** Ordered concatenation: b"oc", then the lexicographically larger string first. */
export function oCat(first: Uint8Array, second: Uint8Array): Uint8Array {
  return lexicographicallyLarger(first, second) ? concat(OC_PREFIX, first, second) : concat(OC_PREFIX, second, first);
}

/** The draft's lexiographically_larger: compare the common prefix, then the longer wins. */
function lexicographicallyLarger(first: Uint8Array, second: Uint8Array): boolean {
  const common = Math.min(first.length, second.length);
  for (let i = 0; i < common; i++) {
    if (first[i]! !== second[i]!) return first[i]! > second[i]!;
  }
  return first.length > second.length;
}

/** lv_cat(DSI, PRS, zero padding, CI, sid): the padding makes DSI and PRS fill the first hash block. */
export function generatorString(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Uint8Array {
  const zeroPadBytes = Math.max(0, SHA512_BLOCK_BYTES - prependLen(prs).length - prependLen(CPACE_DSI).length - 1);
  return lvCat(CPACE_DSI, prs, new Uint8Array(zeroPadBytes), ci, sid);
}

/** g = element_derivation(SHA-512(generator string)), the one-way map of RFC 9496. */
function calculateGenerator(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): RistrettoPoint {
  return ristretto255.Point.hashToCurve(sha512(generatorString(prs, ci, sid)));
}

/** The encoded generator, for the vector test. */
export function encodedGenerator(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Uint8Array {
  return calculateGenerator(prs, ci, sid).toBytes();
}

/** 32 random bytes with the bits at and above 252 cleared, read little-endian (never zero). */
export function sampleScalar(): Uint8Array {
  for (;;) {
    const bytes = randomBytes(32);
    bytes[31]! &= (1 << (GROUP_SIZE_BITS - 248)) - 1;
    if (bytes.some((byte) => byte !== 0)) return new Uint8Array(bytes);
  }
}

function scalarValue(scalar: Uint8Array): bigint {
  let value = 0n;
  for (let i = scalar.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(scalar[i]!);
  return ristretto255.Point.Fn.create(value);
}

/** Y = encode(y * g): this side's public share. */
export function cpaceShare(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array, scalar: Uint8Array): Uint8Array {
  return calculateGenerator(prs, ci, sid).multiply(scalarValue(scalar)).toBytes();
}

/**
 * K = encode(y * decode(X)), or undefined (the draft's G.I, "abort") when X is not a valid
 * encoding or the product is the identity.
 */
export function scalarMultVfy(scalar: Uint8Array, theirShare: Uint8Array): Uint8Array | undefined {
  if (theirShare.length !== CPACE_SHARE_BYTES) return undefined;
  let point: RistrettoPoint;
  try {
    point = ristretto255.Point.fromBytes(theirShare);
  } catch {
    return undefined;
  }
  const value = scalarValue(scalar);
  if (value === 0n) return undefined;
  const product = point.multiply(value);
  return product.is0() ? undefined : product.toBytes();
}

/** Initiator-responder transcript: lv_cat(Ya, ADa) || lv_cat(Yb, ADb). */
export function transcriptIr(ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  return concat(lvCat(ya, adA), lvCat(yb, adB));
}

/** Transcript for parallel runs without roles. */
export function transcriptOc(ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  return oCat(lvCat(ya, adA), lvCat(yb, adB));
}

/** ISK = SHA-512(lv_cat(DSI || "_ISK", sid, K) || transcript). */
export function cpaceIsk(sid: Uint8Array, sharedPoint: Uint8Array, transcript: Uint8Array): Uint8Array {
  return new Uint8Array(sha512(concat(lvCat(ISK_LABEL, sid, sharedPoint), transcript)));
}

/** The draft's optional session id output, SHA-512("CPaceSidOutput" || transcript). */
export function cpaceSidOutput(transcript: Uint8Array): Uint8Array {
  return new Uint8Array(sha512(concat(SID_OUTPUT_LABEL, transcript)));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
