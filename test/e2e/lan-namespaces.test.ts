/**
 * LAN discovery between two hosts (network namespaces on one veth link, DHT off): on an IPv4
 * link, chat with no --peer finds the other side by beacons from its real interface address.
 * Over IPv6 alone: two hosts in network namespaces joined by a veth link that
 * has only IPv6 link-local addresses (no IPv4 route, so the IPv4 group cannot be joined).
 * Beacons go to the link-local group ff02::7927:1; the finder dials the beacon's source,
 * a link-local address that only works with its scope (fe80::b%eth). Chat with no --peer
 * links the two; a get with a magnet that has no address finds the sharer.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePeople, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv } from '../helpers/cli.js';
import { createTwoHosts, netnsUnavailableReason, type TwoHosts } from '../helpers/netns.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, sameFile, stripAddresses } from '../share/cli-peers.js';

const unavailable = netnsUnavailableReason();
if (unavailable) console.log(`LAN namespace tests skipped: ${unavailable}`);

// The namespaces are the test's own: the default group and port cannot meet anyone else's.
const LAN_ENV = { SWARM_NO_LAN: '0' };

describe.skipIf(unavailable !== undefined)('LAN discovery on an IPv6-only link (namespaces)', () => {
  let hosts: TwoHosts;
  beforeEach(() => {
    hosts = createTwoHosts({ ipv6Only: true });
  });
  afterEach(() => hosts.destroy());

  const inHost = (ns: string, args: string[], home: string) => new CliProcess(args, { home, env: cliEnv(home, LAN_ENV), wrapper: ['ip', 'netns', 'exec', ns] });

  it('two chats with no --peer find each other by IPv6 beacons and talk', async () => {
    const people = makePeople(['alice', 'bob'] as const, { alice: ['bob'], bob: ['alice'] });
    const alice = inHost(hosts.nsA, ['chat', '--port', '0', '--json'], people.alice.home);
    const bob = inHost(hosts.nsB, ['chat', '--port', '0', '--json'], people.bob.home);
    await waitForPeers(alice, 1, 30_000);
    await waitForPeers(bob, 1, 30_000);
    alice.send('hello over IPv6 link-local');
    await waitForMessage(bob, 'hello over IPv6 link-local');
    const found = [...alice.events, ...bob.events].filter((e) => e.event === 'discovered');
    expect(found.length).toBeGreaterThan(0);
    for (const event of found) expect(String(event.address)).toMatch(/^\[fe80::[0-9a-f:]+%[^\]]+\]:\d+$/);
  }, 90_000);

  it('a get with a magnet that has no address finds the sharer on the IPv6 link', async () => {
    const people = makePeople(['alice', 'bob'] as const, { alice: ['bob'], bob: ['alice'] });
    const dir = tempDir();
    const path = join(dir, 'v6.bin');
    writeFileSync(path, randomBytes(512 * 1024 + 7));
    const sharer = inHost(hosts.nsA, ['share', path, '--port', '0', '--json'], people.alice.home);
    const ready = await sharer.waitForEvent((e) => e.event === 'ready', 20_000, 'share ready');
    const magnet = stripAddresses(String(ready.magnet));
    expect(magnet).not.toContain('x.pe');
    const getter = inHost(hosts.nsB, ['get', magnet, '-o', join(dir, 'out'), '--json', '--timeout', '60s'], people.bob.home);
    expect(await getter.exited, getter.stderr).toBe(0);
    expect(sameFile(path, join(dir, 'out', 'v6.bin'))).toBe(true);
  }, 90_000);
});

describe.skipIf(unavailable !== undefined)('LAN discovery on an IPv4 link between two hosts (namespaces)', () => {
  let hosts: TwoHosts;
  beforeEach(() => {
    hosts = createTwoHosts();
  });
  afterEach(() => hosts.destroy());

  it('two chats with no --peer find each other by beacons, at their link addresses', async () => {
    const people = makePeople(['alice', 'bob'] as const, { alice: ['bob'], bob: ['alice'] });
    const inHost = (ns: string, home: string) => new CliProcess(['chat', '--port', '0', '--json'], { home, env: cliEnv(home, LAN_ENV), wrapper: ['ip', 'netns', 'exec', ns] });
    const alice = inHost(hosts.nsA, people.alice.home);
    const bob = inHost(hosts.nsB, people.bob.home);
    await waitForPeers(alice, 1, 30_000);
    await waitForPeers(bob, 1, 30_000);
    bob.send('hello across the link');
    await waitForMessage(alice, 'hello across the link');
    const addresses = [...alice.events, ...bob.events].filter((e) => e.event === 'discovered').map((e) => String(e.address).replace(/:\d+$/, ''));
    // IPv4 beacons name the link addresses; the link's automatic IPv6 link-local ones may be heard too.
    expect(addresses.some((address) => [hosts.addressA, hosts.addressB].includes(address))).toBe(true);
    for (const address of addresses) expect(address).toMatch(new RegExp(`^(${hosts.addressA}|${hosts.addressB}|\\[fe80::[0-9a-f:]+%[^\\]]+\\])$`));
  }, 90_000);
});
