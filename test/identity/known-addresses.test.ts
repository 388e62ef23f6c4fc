// Where trusted peers were last reached (for `swarm chat --peer alice`): newest first,
// dialled addresses preferred, only trusted keys, bounded, written atomically and only on change,
// and a damaged file is an empty cache rather than an error.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_ADDRESSES_FILE, KnownAddresses, MAX_ADDRESSES_PER_KEY, MAX_KNOWN_KEYS } from '../../src/identity/known-addresses.js';
import { encodeKeyText } from '../../src/identity/key-text.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeIdentities } from '../helpers/test-identities.js';

const trusted = new Set(['swarm1alice', 'swarm1bob']);
const isTrusted = (key: string) => trusted.has(key) || key.startsWith('swarm1many');

describe('KnownAddresses', () => {
  it('remembers where each trusted key was reached and dials the newest address it listens at', () => {
    const home = tempDir();
    const book = KnownAddresses.load(home, isTrusted);
    expect(book.dialAddressOf('swarm1alice', 7927)).toBeUndefined();
    expect(book.remember('swarm1alice', '10.0.0.5', undefined, 1)).toBe(true); // she dialled us: host only
    expect(book.dialAddressOf('swarm1alice', 7927)).toEqual({ host: '10.0.0.5', port: 7927 });
    expect(book.remember('swarm1alice', '10.0.0.5', 7000, 2)).toBe(true);
    expect(book.remember('swarm1alice', '10.0.0.5', 7000, 3)).toBe(false); // unchanged: no write
    expect(book.remember('swarm1alice', '10.0.0.5', undefined, 4)).toBe(false);
    expect(book.remember('swarm1mallory', '10.0.0.9', 7000)).toBe(false); // not trusted: never kept
    const again = KnownAddresses.load(home, isTrusted);
    expect(again.addressesOf('swarm1alice')).toEqual([{ host: '10.0.0.5', port: 7000, seenAtMs: 2 }]);
    expect(again.dialAddressOf('swarm1alice', 7927)).toEqual({ host: '10.0.0.5', port: 7000 });
    expect(readFileSync(join(home, KNOWN_ADDRESSES_FILE), 'utf8')).not.toContain('mallory');
    expect(statSync(join(home, KNOWN_ADDRESSES_FILE)).mode & 0o077).toBe(0);
    expect(readdirSync(home).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('drops keys no longer trusted when loading, and is bounded in keys and addresses per key', () => {
    const home = tempDir();
    const book = KnownAddresses.load(home, isTrusted);
    book.remember('swarm1bob', '10.0.0.6', 7000);
    for (let i = 0; i < MAX_ADDRESSES_PER_KEY + 3; i += 1) book.remember('swarm1alice', `10.0.1.${i}`, 7000);
    expect(book.addressesOf('swarm1alice')).toHaveLength(MAX_ADDRESSES_PER_KEY);
    expect(book.addressesOf('swarm1alice')[0]!.host).toBe(`10.0.1.${MAX_ADDRESSES_PER_KEY + 2}`);
    for (let i = 0; i < MAX_KNOWN_KEYS + 10; i += 1) book.remember(`swarm1many${i}`, '10.0.2.1', 7000);
    const file = JSON.parse(readFileSync(join(home, KNOWN_ADDRESSES_FILE), 'utf8')) as { peers: Record<string, unknown> };
    expect(Object.keys(file.peers)).toHaveLength(MAX_KNOWN_KEYS);
    trusted.delete('swarm1bob');
    try {
      expect(KnownAddresses.load(home, isTrusted).addressesOf('swarm1bob')).toEqual([]);
    } finally {
      trusted.add('swarm1bob');
    }
  });

  it('treats a damaged file as empty and replaces it on the next change', () => {
    const home = tempDir();
    writeFileSync(join(home, KNOWN_ADDRESSES_FILE), '{"version":1,"peers":{"swarm1alice":[{"host":"x","port":99999,"seenAtMs":1}]');
    const book = KnownAddresses.load(home, isTrusted);
    expect(book.addressesOf('swarm1alice')).toEqual([]);
    writeFileSync(join(home, KNOWN_ADDRESSES_FILE), JSON.stringify({ version: 1, peers: { swarm1alice: [{ host: 'x', port: 99999, seenAtMs: 1 }, { host: 'y', seenAtMs: 1 }] } }));
    expect(KnownAddresses.load(home, isTrusted).addressesOf('swarm1alice')).toEqual([{ host: 'y', seenAtMs: 1 }]);
    expect(book.remember('swarm1alice', '10.0.0.5', 7000)).toBe(true);
    expect(KnownAddresses.load(home, isTrusted).addressesOf('swarm1alice')).toHaveLength(1);
  });

  // Dialling a bare host:port (handshake v2 needs the responder's key) tries the key seen there first.
  it('orders keys: seen at the exact address (newest first), then at the same host, then the rest in order', () => {
    const [a, b, c, d] = makeIdentities(4).map((identity) => identity.publicKey) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const keys = [a, b, c, d];
    const book = KnownAddresses.load(tempDir(), () => true);
    book.remember(encodeKeyText(c), '10.0.0.1', 7000, 1000);
    book.remember(encodeKeyText(b), '10.0.0.1', 7927, 1001);
    book.remember(encodeKeyText(d), '10.0.0.1', 7927, 1002);
    expect(book.order('10.0.0.1', 7927, keys)).toEqual([d, b, c, a]);
    expect(book.order('10.0.0.2', 7927, keys)).toEqual(keys);
    book.rememberAnswer('::1', 7927, a);
    expect(book.order('::1', 7927, keys)[0]).toEqual(a);
  });
});
