/** Cryptographically secure random bytes, so that layers above crypto/ need not import node:crypto. */
import { randomBytes as nodeRandomBytes, randomInt as nodeRandomInt } from 'node:crypto';

export function randomBytes(count: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(count));
}

/** A uniform integer in [min, max] (both included), without modulo bias. */
export function randomIntInclusive(min: number, max: number): number {
  return nodeRandomInt(min, max + 1);
}
