import { describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { dhtPresenceKey, dhtShareKey, utcDay, DAY_MS } from '../../src/discovery/dht-keys.js';
import { dhtConfig, parseBootstrap, PUBLIC_DHT_ROUTERS } from '../../src/discovery/dht-config.js';
import { isDialableScope, scopeOf } from '../../src/discovery/dht-address-scope.js';
import { PairSecrets } from '../../src/identity/pair-secret.js';
import { makeIdentities } from '../helpers/test-identities.js';

const infoHash = 'ab'.repeat(20);

describe('DHT keys', () => {
  it('the share key is SHA-256(label || infohash || sharer key) cut to 20 bytes, and never the infohash', () => {
    const sharer = Buffer.alloc(32, 9);
    const expected = createHash('sha256').update('swarm-dht-share-v1').update(Buffer.from(infoHash, 'hex')).update(sharer).digest().subarray(0, 20);
    const key = dhtShareKey(infoHash, sharer);
    expect(key.toString('hex')).toBe(expected.toString('hex'));
    expect(key.toString('hex')).not.toBe(infoHash);
    expect(dhtShareKey(infoHash, Buffer.alloc(32, 8)).equals(key)).toBe(false);
  });

  it('the presence key is the same for both peers of a pair, differs by day and by pair', () => {
    const [a, b, c] = makeIdentities(3) as [ReturnType<typeof makeIdentities>[0], ReturnType<typeof makeIdentities>[0], ReturnType<typeof makeIdentities>[0]];
    const ab = new PairSecrets(a.secretKey).with(b.publicKey)!;
    const ba = new PairSecrets(b.secretKey).with(a.publicKey)!;
    const ac = new PairSecrets(a.secretKey).with(c.publicKey)!;
    const day = utcDay(Date.UTC(2026, 10, 29, 23, 59));
    expect(dhtPresenceKey(ab, day).equals(dhtPresenceKey(ba, day))).toBe(true);
    expect(dhtPresenceKey(ab, day).equals(dhtPresenceKey(ab, day + 1))).toBe(false);
    expect(dhtPresenceKey(ab, day).equals(dhtPresenceKey(ac, day))).toBe(false);
    const dayBytes = Buffer.alloc(4);
    dayBytes.writeUInt32BE(day);
    expect(dhtPresenceKey(ab, day).toString('hex')).toBe(createHmac('sha256', ab).update('swarm-dht-presence-v1').update(dayBytes).digest().subarray(0, 20).toString('hex'));
    expect(utcDay(Date.UTC(2026, 10, 30))).toBe(day + 1);
    expect(utcDay(day * DAY_MS)).toBe(day);
  });
});

describe('DHT settings', () => {
  it('default is the public routers; --dht-bootstrap or SWARM_DHT_BOOTSTRAP a private list; --no-dht or SWARM_NO_DHT=1 off', () => {
    expect(dhtConfig({}, {})).toEqual({ bootstrap: [...PUBLIC_DHT_ROUTERS], isPublic: true });
    expect(dhtConfig({ SWARM_DHT_BOOTSTRAP: '127.0.0.1:6881, [::1]:7000' }, {})).toEqual({ bootstrap: [{ host: '127.0.0.1', port: 6881 }, { host: '::1', port: 7000 }], isPublic: false });
    expect(dhtConfig({ SWARM_DHT_BOOTSTRAP: '127.0.0.1:1' }, { bootstrapText: '10.0.0.1:2' })!.bootstrap).toEqual([{ host: '10.0.0.1', port: 2 }]);
    expect(dhtConfig({}, { isDhtOff: true })).toBeUndefined();
    expect(dhtConfig({ SWARM_NO_DHT: '1' }, {})).toBeUndefined();
    expect(dhtConfig({ SWARM_NO_DHT: '0' }, {})).toBeDefined();
  });

  it('a bad bootstrap list is a usage error naming the bad entry', () => {
    expect(() => parseBootstrap('127.0.0.1')).toThrow(/"127.0.0.1" is not host:port/);
    expect(() => parseBootstrap('127.0.0.1:0')).toThrow(/not host:port/);
    expect(() => parseBootstrap(' , ')).toThrow(/at least one/);
    expect(() => parseBootstrap(Array.from({ length: 33 }, (_, i) => `10.0.0.${i}:1`).join(','))).toThrow(/at most 32/);
  });
});

describe('which DHT answers may be dialled', () => {
  it('classifies addresses', () => {
    expect(['127.0.0.5', '::1'].map(scopeOf)).toEqual(['loopback', 'loopback']);
    expect(['10.1.2.3', '172.20.0.1', '192.168.1.1', '100.64.0.1', 'fd00::1'].map(scopeOf)).toEqual(Array(5).fill('private'));
    expect(['169.254.1.1', 'fe80::1'].map(scopeOf)).toEqual(['link-local', 'link-local']);
    expect(['0.0.0.0', '224.0.0.1', '255.255.255.255', '::', 'ff02::1', 'example.com'].map(scopeOf)).toEqual(Array(6).fill('never'));
    expect(['8.8.8.8', '2001:db8::1', '::ffff:1.2.3.4'].map(scopeOf)).toEqual(['public', 'public', 'public']);
  });

  it('a node on loopback dials loopback and public answers, never private ones it is not in', () => {
    const scopes = new Set(['public', 'loopback'] as const);
    expect(isDialableScope('127.0.0.9', scopes)).toBe(true);
    expect(isDialableScope('192.168.0.1', scopes)).toBe(false);
    expect(isDialableScope('224.0.0.1', scopes)).toBe(false);
    expect(isDialableScope('127.0.0.9', new Set(['public'] as const))).toBe(false);
  });
});
