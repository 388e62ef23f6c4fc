// The address book of dialling by address only: ordering, bounds, and the file on disk.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_ADDRESSES_FILE, KnownAddresses, MAX_ENTRIES } from '../../src/identity/known-addresses.js';
import { encodeKeyText } from '../../src/identity/key-text.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeIdentities } from '../helpers/test-identities.js';

const [a, b, c, d] = makeIdentities(4).map((identity) => identity.publicKey);
const keys = [a!, b!, c!, d!];

describe('KnownAddresses', () => {
  it('puts keys seen at the exact address first (newest first), then the same host, then the rest in order', () => {
    let now = 1000;
    const book = new KnownAddresses(undefined, () => now++);
    book.remember('10.0.0.1', 7000, c!);
    book.remember('10.0.0.1', 7927, b!);
    book.remember('10.0.0.1', 7927, d!);
    expect(book.order('10.0.0.1', 7927, keys)).toEqual([d, b, c, a]);
    expect(book.order('10.0.0.2', 7927, keys)).toEqual(keys);
  });

  it('survives a restart through its file, written atomically with mode 0600, and ignores a damaged one', () => {
    const home = tempDir();
    KnownAddresses.load(home).remember('::1', 7927, c!);
    const path = join(home, KNOWN_ADDRESSES_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ v: 1, entries: [{ address: '[::1]:7927', key: encodeKeyText(c!) }] });
    expect(KnownAddresses.load(home).order('::1', 7927, keys)[0]).toEqual(c);
    writeFileSync(path, '{ not json');
    expect(KnownAddresses.load(home).order('::1', 7927, keys)).toEqual(keys);
  });

  it(`keeps at most ${MAX_ENTRIES} entries, the newest`, () => {
    const home = tempDir();
    let now = 0;
    const book = new KnownAddresses(join(home, KNOWN_ADDRESSES_FILE), () => now++);
    for (let port = 1; port <= MAX_ENTRIES + 10; port++) book.remember('10.0.0.9', port, a!);
    const entries = JSON.parse(readFileSync(join(home, KNOWN_ADDRESSES_FILE), 'utf8')).entries as { address: string }[];
    expect(entries).toHaveLength(MAX_ENTRIES);
    expect(entries.some((entry) => entry.address === '10.0.0.9:1')).toBe(false);
    expect(entries.some((entry) => entry.address === `10.0.0.9:${MAX_ENTRIES + 10}`)).toBe(true);
  });
});
