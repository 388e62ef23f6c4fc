/**
 * End-to-end helpers for share/get: homes with identities and trust set up directly on
 * disk (the same files `swarm id` / `swarm trust add` write), and `swarm share` started
 * as a real child process on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateIdentity } from '../../src/identity/identity.js';
import { TrustStore } from '../../src/identity/trust-store.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';

export interface TestUser {
  name: string;
  home: string;
  key: string;
}

/** Users with fresh homes; `trusts(a, b)` decides whether a trusts b (default: everyone). */
export function makeUsers(names: string[], trusts: (a: string, b: string) => boolean = () => true): TestUser[] {
  const users = names.map((name) => {
    const home = tempDir(`swarm-${name}-`);
    return { name, home, key: loadOrCreateIdentity(home).keyText };
  });
  for (const user of users) {
    const store = TrustStore.load(user.home);
    for (const other of users) if (other !== user && trusts(user.name, other.name)) store.add(other.key, other.name);
  }
  return users;
}

export async function startSharer(user: TestUser, path: string, extra: string[] = []): Promise<{ child: CliProcess; magnet: string; port: number }> {
  const child = new CliProcess(['share', path, '--host', '127.0.0.1', '--port', '0', '--json', ...extra], { home: user.home });
  const ready = await child.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready');
  return { child, magnet: String(ready.magnet), port: Number(ready.port) };
}

export function startGetter(user: TestUser, magnet: string, outDir: string, extra: string[] = []): CliProcess {
  return new CliProcess(['get', magnet, '-o', outDir, '--host', '127.0.0.1', '--json', ...extra], { home: user.home });
}

export const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

export function sameFile(a: string, b: string): boolean {
  return sha256File(a) === sha256File(b);
}

export { join };

/** The magnet without its address hints (x.pe): only discovery can find the sharer then. */
export const stripAddresses = (magnet: string) => magnet.replace(/&x\.pe=[^&]*/g, '');
