/** The hashes swarm uses, over node:crypto, so no other layer imports node:crypto itself. */
import { createHash } from 'node:crypto';

export function sha256(...parts: Uint8Array[]): Buffer {
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
