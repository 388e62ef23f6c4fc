/**
 * The demo's cast: a temporary directory with one swarm home per person. alice,
 * bob and carol trust each other; mallory trusts them but nobody trusts mallory.
 * Everything lives under one temp dir that cleanUp() removes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateIdentity, type Identity } from '../identity/identity.js';
import { TrustStore } from '../identity/trust-store.js';

export const TRUSTED_CAST = ['alice', 'bob', 'carol'] as const;
export type CastName = (typeof TRUSTED_CAST)[number] | 'mallory';

export interface Person {
  name: CastName;
  home: string;
  identity: Identity;
  /** A loopback address of its own, so the logs show who is who. */
  host: string;
}

export interface DemoWorld {
  root: string;
  people: Record<CastName, Person>;
  cleanUp(): void;
}

export function createDemoWorld(): DemoWorld {
  const root = mkdtempSync(join(tmpdir(), 'swarm-demo-'));
  const cast: CastName[] = [...TRUSTED_CAST, 'mallory'];
  const people = Object.fromEntries(
    cast.map((name, index) => {
      const home = join(root, name);
      return [name, { name, home, identity: loadOrCreateIdentity(home), host: `127.0.0.${index + 1}` }];
    }),
  ) as Record<CastName, Person>;
  for (const person of cast.map((name) => people[name])) {
    const store = TrustStore.load(person.home);
    for (const other of TRUSTED_CAST) {
      if (other !== person.name) store.add(people[other].identity.keyText, other);
    }
  }
  return { root, people, cleanUp: () => rmSync(root, { recursive: true, force: true }) };
}
