/**
 * The namespace case: share and get on different subnets with a router namespace
 * between them (no LAN path), a private DHT of 20 nodes on the router reachable from both,
 * and a magnet stripped of x.pe: the get finds the sharer through the DHT and fetches the
 * file. Skipped, saying why, where namespaces cannot be made (not root, no iproute2).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { netnsUnavailableReason } from '../helpers/netns.js';
import { startPrivateDht, type PrivateDht } from '../helpers/private-dht.js';
import { createRoutedHosts, type RoutedHosts } from '../helpers/routed-hosts.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeUsers, stripAddresses, type TestUser } from '../share/cli-peers.js';

const unavailable = netnsUnavailableReason();
if (unavailable) console.log(`routed DHT test skipped: ${unavailable}`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(unavailable !== undefined)('share and get on two subnets behind a router find each other through the DHT', () => {
  let hosts: RoutedHosts | undefined;
  let dht: PrivateDht | undefined;
  beforeAll(async () => {
    hosts = createRoutedHosts(20);
    dht = await startPrivateDht({ count: 20, subnet: hosts.dhtSubnet, wrapper: ['ip', 'netns', 'exec', hosts.router] });
  }, 60_000);
  afterAll(async () => {
    await dht?.stop();
    hosts?.destroy();
  });

  it('get with a magnet stripped of x.pe reaches the sharer on the other subnet', async () => {
    const { share, get } = hosts!;
    const [alice, bob] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    const file = join(tempDir(), 'across.bin');
    writeFileSync(file, randomBytes(512 * 1024 + 7));
    const sharer = new CliProcess(['share', file, '--host', share.address, '--port', '0', '--json'], { home: alice.home, env: cliEnv(alice.home, dht!.env), wrapper: ['ip', 'netns', 'exec', share.ns] });
    const ready = await sharer.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready');
    const magnet = stripAddresses(String(ready.magnet));
    expect(magnet).not.toContain('x.pe');
    const out = tempDir();
    const getter = new CliProcess(['get', magnet, '-o', out, '--host', get.address, '--json'], { home: bob.home, env: cliEnv(bob.home, dht!.env), wrapper: ['ip', 'netns', 'exec', get.ns] });
    const found = await getter.waitForEvent((e) => e.event === 'discovered', 60_000, 'discovered');
    expect(found).toMatchObject({ via: 'dht', key: alice.key, address: `${share.address}:${Number(ready.port)}` });
    expect(await getter.exited).toBe(0);
    expect(sha256(readFileSync(join(out, 'across.bin')))).toBe(sha256(readFileSync(file)));
    await sharer.stop('SIGINT', 10_000);
  }, 150_000);
});
