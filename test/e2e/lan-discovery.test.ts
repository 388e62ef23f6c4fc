/**
 * LAN discovery through the real CLI on loopback multicast (SWARM_LAN_INTERFACE=127.0.0.1,
 * a UDP port of this file's own): `swarm get` with a magnet stripped of x.pe finds the
 * sharer by its beacons; `swarm chat` with no --peer finds and links trusted peers; a
 * stranger listening on the group learns no key, fingerprint, infohash or name, and a node
 * that trusts only one way finds nobody. Each node listens on its own 127.0.0.N.
 */
import type { Socket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { edPublicKeyToX25519 } from '../../src/crypto/box-keys.js';
import { decodeBeacon } from '../../src/discovery/beacon-codec.js';
import { decodeKeyText, fingerprint } from '../../src/identity/key-text.js';
import { cliEnv, expectCleanFailure, runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { sniffLan } from '../helpers/lan-sniffer.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, stripAddresses, type TestUser } from '../share/cli-peers.js';
import { makePeople, waitForMessage, waitForPeers, pause } from '../chat/helpers/chat-world.js';

const LAN_PORT = 10000 + (process.pid % 20000);
const LAN_ENV = { SWARM_NO_LAN: '0', SWARM_LAN_PORT: String(LAN_PORT), SWARM_LAN_INTERFACE: '127.0.0.1' };

const sniffers: Socket[] = [];
afterEach(() => {
  for (const socket of sniffers.splice(0)) socket.close();
});

const sniff = () => sniffLan(LAN_PORT, sniffers);

function lanProcess(args: string[], home: string, extraEnv: NodeJS.ProcessEnv = {}): CliProcess {
  return new CliProcess(args, { home, env: cliEnv(home, { ...LAN_ENV, ...extraEnv }) });
}

/** The magnet without its address hints: only the infohash, name, size and sharer key are left. */

/** Checks that no captured datagram holds any of these byte strings or texts. */
function expectNothingIdentifying(captured: Buffer[], users: { keyText: string }[], extras: string[] = []): void {
  expect(captured.length).toBeGreaterThan(0);
  for (const datagram of captured) {
    expect(decodeBeacon(datagram), 'every datagram on the group is a well-formed beacon').toBeDefined();
    const text = datagram.toString('latin1');
    for (const { keyText } of users) {
      const key = decodeKeyText(keyText);
      for (const secret of [key, edPublicKeyToX25519(key)!]) {
        for (let i = 0; i + 8 <= 32; i += 8) expect(datagram.indexOf(Buffer.from(secret.subarray(i, i + 8)))).toBe(-1);
      }
      expect(text).not.toContain(keyText.slice(0, 12));
      expect(text).not.toContain(fingerprint(key));
    }
    for (const extra of extras) expect(text.toLowerCase()).not.toContain(extra.toLowerCase());
  }
}

describe('swarm get finds the sharer on the LAN (no x.pe, no --peer)', () => {
  it('fetches with a magnet stripped of addresses; says whom it discovered; a stranger learns nothing', async () => {
    const captured = await sniff();
    const [alice, bob] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    const dir = tempDir();
    const source = join(dir, 'holiday-photos.bin');
    writeFileSync(source, Buffer.alloc(3 * 1024 * 1024, 7));
    const share = lanProcess(['share', source, '--host', '127.0.0.2', '--port', '0', '--json'], alice.home);
    const ready = await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready');
    const magnet = stripAddresses(String(ready.magnet));
    expect(magnet).not.toContain('x.pe');
    const out = tempDir();
    const get = lanProcess(['get', magnet, '-o', out, '--host', '127.0.0.3', '--json'], bob.home);
    const found = await get.waitForEvent((e) => e.event === 'discovered', 20_000, 'discovered');
    expect(found).toMatchObject({ via: 'lan', key: alice.key, name: 'alice', address: `127.0.0.2:${Number(ready.port)}` });
    await get.waitForEvent((e) => e.event === 'done', 60_000, 'done');
    expect(await get.exited).toBe(0);
    expect(sameFile(source, join(out, 'holiday-photos.bin'))).toBe(true);
    const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)![1]!;
    expectNothingIdentifying(captured, [alice, bob].map((user) => ({ keyText: user.key })), [infoHash, 'holiday']);
  }, 120_000);

  it('a magnet whose address is dead: discovery, held back while the address is tried, then finds the sharer', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    const dir = tempDir();
    const source = join(dir, 'moved.bin');
    writeFileSync(source, Buffer.alloc(512 * 1024, 3));
    const share = lanProcess(['share', source, '--host', '127.0.0.2', '--port', '0', '--json'], alice.home);
    const ready = await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready');
    // The sharer has moved: the address in its link now refuses connections.
    const magnet = String(ready.magnet).replace(/x\.pe=[^&]*/, 'x.pe=127.0.0.2:1');
    expect(magnet).toContain('x.pe=127.0.0.2:1');
    const out = tempDir();
    const get = lanProcess(['get', magnet, '-o', out, '--host', '127.0.0.3', '--json'], bob.home);
    const found = await get.waitForEvent((e) => e.event === 'discovered', 20_000, 'discovered');
    expect(found).toMatchObject({ via: 'lan', key: alice.key, address: `127.0.0.2:${Number(ready.port)}` });
    expect(await get.exited).toBe(0);
    expect(sameFile(source, join(out, 'moved.bin'))).toBe(true);
  }, 120_000);

  it('a get started before the sharer says it is looking, then finds the sharer when it starts', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    const dir = tempDir();
    const source = join(dir, 'notes.txt');
    writeFileSync(source, 'written before the getter knew where alice was\n'.repeat(1000));
    // The share's first run only gives the magnet; the get then starts while nobody shares.
    const first = lanProcess(['share', source, '--host', '127.0.0.2', '--port', '0', '--json', '--no-lan'], alice.home);
    const magnet = stripAddresses(String((await first.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet));
    await first.stop('SIGINT', 5000);
    const out = tempDir();
    const get = lanProcess(['get', magnet, '-o', out, '--host', '127.0.0.3', '--json'], bob.home);
    const waiting = await get.waitForEvent((e) => e.event === 'waiting', 20_000, 'waiting');
    expect(waiting).toMatchObject({ peer: 'alice', key: alice.key, reason: 'looking for it on the local network' });
    expect(get.events.some((e) => e.event === 'error')).toBe(false);
    const share = lanProcess(['share', source, '--host', '127.0.0.2', '--port', '0', '--json'], alice.home);
    await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready');
    expect(await get.exited).toBe(0);
    expect(sameFile(source, join(out, 'notes.txt'))).toBe(true);
  }, 120_000);

  it('a getter that seeds announces the share: a third peer finds it by the share tag after the sharer left', async () => {
    const [alice, bob, carol] = makeUsers(['alice', 'bob', 'carol']) as [TestUser, TestUser, TestUser];
    const source = join(tempDir(), 'passed-on.bin');
    writeFileSync(source, Buffer.alloc(256 * 1024, 3));
    const share = lanProcess(['share', source, '--host', '127.0.0.2', '--port', '0', '--json'], alice.home);
    const magnet = stripAddresses(String((await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet));
    const seeder = lanProcess(['get', magnet, '-o', tempDir(), '--host', '127.0.0.3', '--json', '--seed'], bob.home);
    await seeder.waitForEvent((e) => e.event === 'seeding', 60_000, 'seeding');
    await share.stop('SIGINT', 5000);
    const out = tempDir();
    const get = lanProcess(['get', magnet, '-o', out, '--host', '127.0.0.4', '--json'], carol.home);
    expect(await get.exited).toBe(0);
    expect(get.events.find((e) => e.event === 'discovered' && e.key === bob.key)).toMatchObject({ address: expect.stringMatching(/^127\.0\.0\.3:/) });
    expect(get.events.filter((e) => e.event === 'peer-connected').map((e) => e.key)).toEqual([bob.key]);
    expect(sameFile(source, join(out, 'passed-on.bin'))).toBe(true);
  }, 150_000);

  it('with --no-lan the stripped magnet is the old clean error naming --peer', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=x&x.key=${encodeURIComponent(alice.key)}`;
    const result = await runCli(['get', magnet, '-o', tempDir(), '--host', '127.0.0.3', '--no-lan'], { home: bob.home, env: cliEnv(bob.home, LAN_ENV) });
    expectCleanFailure(result, 1, /names no address.*--peer host:port/);
  });

  it('a bad SWARM_LAN_PORT is a usage error, not a stack trace', async () => {
    const [bob] = makeUsers(['bob']) as [TestUser];
    const result = await runCli(['chat', '--host', '127.0.0.3', '--port', '0'], { home: bob.home, env: cliEnv(bob.home, { ...LAN_ENV, SWARM_LAN_PORT: 'seven' }) });
    expectCleanFailure(result, 2, /SWARM_LAN_PORT must be a port/);
  });
});

describe('swarm chat finds trusted peers on the LAN (no --peer)', () => {
  it('three nodes that trust each other form a chat; a one-way truster finds nobody; beacons reveal no key', async () => {
    const captured = await sniff();
    const names = ['alice', 'bob', 'carol', 'dave'] as const;
    // dave trusts alice; nobody trusts dave.
    const people = makePeople(names, { alice: ['bob', 'carol'], bob: ['alice', 'carol'], carol: ['alice', 'bob'], dave: ['alice'] });
    const hosts = { alice: '127.0.0.2', bob: '127.0.0.3', carol: '127.0.0.4', dave: '127.0.0.5' };
    const chats = Object.fromEntries(names.map((name) => [name, lanProcess(['chat', '--host', hosts[name], '--port', '0', '--json'], people[name].home)])) as Record<(typeof names)[number], CliProcess>;
    for (const name of names) await chats[name].waitForEvent((e) => e.event === 'ready', 20_000, 'ready');
    for (const name of ['alice', 'bob', 'carol'] as const) await waitForPeers(chats[name], 2, 30_000);
    chats.alice.send('hello over the LAN');
    await waitForMessage(chats.bob, 'hello over the LAN');
    await waitForMessage(chats.carol, 'hello over the LAN');
    await pause(1500);
    expect(chats.dave.events.filter((e) => e.event === 'peer-join' || e.event === 'discovered')).toEqual([]);
    expect(chats.alice.events.filter((e) => e.event === 'discovered').every((e) => e.key !== people.dave.identity.keyText)).toBe(true);
    expectNothingIdentifying(captured, names.map((name) => people[name].identity));
    // Unlinkable: no 16-byte tag appears in two datagrams.
    const seen = new Set<string>();
    for (const datagram of captured) {
      const beacon = decodeBeacon(datagram)!;
      for (const tag of [...beacon.presenceTags, ...beacon.shareTags]) {
        const hex = Buffer.from(tag).toString('hex');
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    }
  }, 120_000);
});


