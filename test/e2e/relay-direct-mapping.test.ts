/**
 * Goes direct when it can: router A runs miniupnpd (NAT-PMP), alice shares in home A with a
 * relay as well (--relay), bob gets in home B with the full magnet (x.pe: the router's mapped
 * address first; x.relay). The get completes over the mapped port: alice's node sees bob
 * link in from router B's public address (the mapping verified), and the relay relays none
 * of the transfer (its own counters, printed when it stops).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv } from '../helpers/cli.js';
import { createNatLab, type NatLab } from '../helpers/nat-lab.js';
import { miniupnpdLabUnavailableReason, MINIUPNPD_PUBLIC_SUBNET, startMiniupnpd, type Miniupnpd } from '../helpers/nat-lab-miniupnpd.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, type TestUser } from '../share/cli-peers.js';

const unavailable = miniupnpdLabUnavailableReason();
if (unavailable) console.log(`relay + mapping test skipped: ${unavailable}`);
const RELAY_PORT = 7000;
const SHARE_PORT = 7411;

describe.skipIf(unavailable !== undefined)('a relay and a mapped port: the get goes direct', () => {
  let lab: NatLab;
  let router: Miniupnpd | undefined;
  beforeAll(() => {
    lab = createNatLab({ homes: 2, publicHosts: ['relay'], publicSubnet: MINIUPNPD_PUBLIC_SUBNET });
  });
  afterAll(() => {
    router?.stop();
    lab?.destroy();
  });

  it('with miniupnpd on router A, bob\'s get connects to the mapped port and the relay carries no bytes of the transfer', async () => {
    const [alice, bob, rick] = makeUsers(['alice', 'bob', 'rick']) as [TestUser, TestUser, TestUser];
    router = await startMiniupnpd(lab, 0, { natPmp: true, upnp: false });
    const relayAddress = `${lab.publicHosts.relay!.address}:${RELAY_PORT}`;
    const wanA = lab.routers[0]!.wanAddress;
    const dir = tempDir();
    const path = join(dir, 'direct.bin');
    writeFileSync(path, randomBytes(4 * 1024 * 1024 + 5));
    const relay = new CliProcess(['relay', '--port', String(RELAY_PORT), '--json'], { home: rick.home, wrapper: lab.wrapper(lab.publicHosts.relay!.ns) });
    await relay.waitForEvent((e) => e.event === 'ready', 20_000, 'relay ready');
    const share = new CliProcess(['share', path, '--port', String(SHARE_PORT), '--relay', relayAddress, '--no-lan', '--json'], { home: alice.home, wrapper: lab.wrapper(lab.homes[0]!.ns), env: cliEnv(alice.home, { SWARM_NO_NAT: '0' }) });
    const mapped = await share.waitForEvent((e) => e.event === 'port-mapped' || e.code === 'NAT_UNMAPPED', 20_000, 'port-mapped');
    expect(mapped, router.log()).toMatchObject({ event: 'port-mapped', external: `${wanA}:${SHARE_PORT}` });
    await share.waitForEvent((e) => e.event === 'relay' && e.state === 'registered', 30_000, 'alice registered');
    const magnet = String((await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet);
    const params = new URL(magnet).searchParams;
    expect(params.getAll('x.pe')[0]).toBe(`${wanA}:${SHARE_PORT}`);
    expect(params.getAll('x.relay')).toEqual([relayAddress]);

    const out = join(dir, 'out');
    const get = new CliProcess(['get', magnet, '-o', out, '--no-lan', '--json'], { home: bob.home, wrapper: lab.wrapper(lab.homes[1]!.ns) });
    expect(await get.exited).toBe(0);
    expect(sameFile(path, join(out, 'direct.bin'))).toBe(true);
    // Bob came in through the mapping, from router B's public address.
    expect(await share.waitForEvent((e) => e.event === 'port-mapping-verified', 5_000, 'mapping verified')).toMatchObject({ from: lab.routers[1]!.wanAddress });
    await share.stop('SIGINT');
    await relay.stop('SIGINT');
    const stopped = relay.events.find((e) => e.event === 'stopped');
    expect(stopped).toBeDefined();
    // Not one spliced stream: the relay forwarded nothing, let alone the 4 MiB.
    expect(relay.events.filter((e) => e.event === 'stream-open')).toEqual([]);
    expect(stopped).toMatchObject({ relayedBytes: 0 });
  }, 150_000);
});
