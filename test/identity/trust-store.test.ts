import { describe, expect, test } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { TrustStore } from '../../src/identity/trust-store.js';
import { createIdentity } from '../../src/identity/identity.js';
import { tempDir } from '../helpers/temp-home.js';

const alice = createIdentity();
const bob = createIdentity();

describe('trust store', () => {
  test('add, find, allows, list, remove; file is 0600 and survives reload', () => {
    const home = tempDir();
    const store = TrustStore.load(home);
    expect(store.allows(alice.publicKey)).toBe(false);
    store.add(alice.keyText, 'alice');
    const bobEntry = store.add(bob.keyText);
    expect(bobEntry.name).toMatch(/^peer-[0-9a-f]{8}$/);
    expect(store.allows(alice.publicKey)).toBe(true);
    expect(store.nameOf(bob.publicKey)).toBe(bobEntry.name);
    expect(store.find('alice')?.key).toBe(alice.keyText);
    expect(store.find(bob.keyText)?.name).toBe(bobEntry.name);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);

    const reloaded = TrustStore.load(home);
    expect(reloaded.list().map((e) => e.name)).toEqual(['alice', bobEntry.name]);
    reloaded.remove('alice');
    reloaded.remove(bob.keyText);
    expect(TrustStore.load(home).list()).toEqual([]);
  });

  test('duplicate names and keys, bad names and unknown peers are clear errors', () => {
    const store = TrustStore.load(tempDir());
    store.add(alice.keyText, 'alice');
    expect(() => store.add(alice.keyText, 'other')).toThrow(/already trusted as "alice"/);
    expect(() => store.add(bob.keyText, 'alice')).toThrow(/name "alice" is already used/);
    expect(() => store.add(bob.keyText, '../evil')).toThrow(/invalid name/);
    expect(() => store.add('swarm1nope')).toThrow(/not a valid swarm key/);
    expect(() => store.remove('carol')).toThrow(/no trusted key is named/);
    expect(store.list()).toHaveLength(1);
  });

  test('a corrupt or truncated store is reported and left untouched', () => {
    const home = tempDir();
    const store = TrustStore.load(home);
    store.add(alice.keyText, 'alice');
    const text = readFileSync(store.path, 'utf8');
    const truncated = text.slice(0, 40);
    writeFileSync(store.path, truncated);
    expect(() => TrustStore.load(home)).toThrow(/damaged.*left untouched/);
    expect(readFileSync(store.path, 'utf8')).toBe(truncated);
    writeFileSync(store.path, text.replace(alice.keyText.slice(10, 14), 'aaaa'));
    expect(() => TrustStore.load(home)).toThrow(/invalid key/);
  });

  test('a change by another process is not overwritten', () => {
    const home = tempDir();
    const first = TrustStore.load(home);
    const second = TrustStore.load(home);
    first.add(alice.keyText, 'alice');
    expect(() => second.add(bob.keyText, 'bob')).toThrow(/changed while this command ran/);
    expect(TrustStore.load(home).find('alice')).toBeDefined();
  });

  test('watch() sees a removal made by another process', async () => {
    const home = tempDir();
    TrustStore.load(home).add(alice.keyText, 'alice');
    const running = TrustStore.load(home);
    let changes = 0;
    const stop = running.watch(() => changes++, 50);
    try {
      TrustStore.load(home).remove('alice');
      const deadline = Date.now() + 5000;
      while (running.allows(alice.publicKey) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(running.allows(alice.publicKey)).toBe(false);
      expect(changes).toBe(1);
    } finally {
      stop();
    }
  });
});
