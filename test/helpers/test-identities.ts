/** Fresh identities and allowlist predicates for secure/ and net/ tests. */
import { createIdentity, type Identity } from '../../src/identity/identity.js';

export function makeIdentities(count: number): Identity[] {
  return Array.from({ length: count }, () => createIdentity());
}

/** An allows() predicate that trusts exactly these identities. */
export function trusting(...identities: Identity[]): (key: Uint8Array) => boolean {
  const keys = new Set(identities.map((identity) => Buffer.from(identity.publicKey).toString('hex')));
  return (key) => keys.has(Buffer.from(key).toString('hex'));
}
