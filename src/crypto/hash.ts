/** The hashes swarm uses, over node:crypto, so no other layer imports node:crypto itself. */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';

// One-shot hashing (node >= 20.12) makes no Hash object: for the short inputs of a Noise
// handshake (a dozen per side) the object costs more than the hashing.
const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;
const ONE_SHOT_MAX_BYTES = 4096;
/** Whether sha256 of a short input is one call with no Hash object (node >= 20.12). */
export const hasOneShotHash = oneShotHash !== undefined;

export function sha256(...parts: Uint8Array[]): Buffer {
  if (oneShotHash) {
    let bytes = 0;
    for (const part of parts) bytes += part.length;
    if (bytes <= ONE_SHOT_MAX_BYTES) return oneShotHash('sha256', parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes), 'buffer');
  }
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

export function sha512(data: Uint8Array): Buffer {
  return createHash('sha512').update(data).digest();
}

/** SHA-1 is what BitTorrent v1 piece hashes are; swarm uses it for nothing else. */
export function sha1(data: Uint8Array): Buffer {
  return createHash('sha1').update(data).digest();
}

/** An incremental SHA-1, for hashing a piece that is read in several chunks. */
export interface IncrementalHash {
  update(data: Uint8Array): unknown;
  digest(): Buffer;
}

export function createSha1(): IncrementalHash {
  return createHash('sha1');
}
