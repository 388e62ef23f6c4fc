import { describe, expect, test } from 'vitest';
import { readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { identityPath, loadOrCreateIdentity } from '../../src/identity/identity.js';
import { decodeKeyText } from '../../src/identity/key-text.js';
import { sign, verify } from '../../src/crypto/ed25519.js';
import { x25519PublicKey } from '../../src/crypto/x25519.js';
import { resolveHome } from '../../src/identity/home.js';
import { tempDir } from '../helpers/temp-home.js';

describe('identity', () => {
  test('created on first use with mode 0600, then loaded unchanged', () => {
    const home = join(tempDir(), 'nested', 'home');
    const first = loadOrCreateIdentity(home);
    const mode = statSync(identityPath(home)).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const second = loadOrCreateIdentity(home);
    expect(second.keyText).toBe(first.keyText);
    expect(Buffer.from(decodeKeyText(first.keyText))).toEqual(Buffer.from(first.publicKey));
    expect(verify(Buffer.from('x'), sign(Buffer.from('x'), second.secretKey), first.publicKey)).toBe(true);
    expect(Buffer.from(x25519PublicKey(second.noiseSecretKey))).toEqual(Buffer.from(first.noisePublicKey));
    expect(readdirSync(home).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  test('a damaged identity file is reported and never replaced', () => {
    const home = tempDir();
    loadOrCreateIdentity(home);
    const path = identityPath(home);
    const original = readFileSync(path, 'utf8');
    const truncated = original.slice(0, original.length / 2);
    writeFileSync(path, truncated);
    expect(() => loadOrCreateIdentity(home)).toThrow(/damaged.*left untouched/);
    expect(readFileSync(path, 'utf8')).toBe(truncated);
    const swapped = JSON.parse(original);
    swapped.noisePublicKey = swapped.publicKey;
    writeFileSync(path, JSON.stringify(swapped));
    expect(() => loadOrCreateIdentity(home)).toThrow(/Noise keys do not match/);
  });

  test('an unwritable home is a clear error', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a directory');
    expect(() => loadOrCreateIdentity(join(file, 'home'))).toThrow(/cannot write .*ENOTDIR/);
  });

  test('SWARM_HOME wins, then XDG_CONFIG_HOME', () => {
    expect(resolveHome({ SWARM_HOME: '/x/y' })).toBe('/x/y');
    expect(resolveHome({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/swarm');
  });
});
