/**
 * Direct upgrade through the relay (issue 12, stretch), in the NAT lab: two homes behind
 * their own nftables-masquerade routers, a relay on the public segment. The routers drop
 * unsolicited inbound connections (as home routers do) and forward nothing. alice shares
 * in home A with --relay, bob gets in home B: the get starts through the relay, the two
 * ends coordinate a TCP simultaneous open through it, and the transfer moves to the direct
 * link: the file is identical, both ends report {"event":"direct","state":"up"} naming the
 * other's router, and the relay (rate-capped, so a relayed transfer would be slow) carried
 * fewer bytes than the file. Routers that also rewrite source ports at random
 * (masquerade fully-random) defeat the punch: the get still completes through the relay,
 * with one {"event":"direct","state":"failed"} after the dialler's last round. `get
 * --no-direct` keeps it on the relay even where the punch would succeed.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, type JsonEvent } from '../helpers/cli-process.js';
import { cliEnv } from '../helpers/cli.js';
import { createNatLab, natLabUnavailableReason, type NatLab } from '../helpers/nat-lab.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, type TestUser } from '../share/cli-peers.js';

const unavailable = natLabUnavailableReason();
if (unavailable) console.log(`direct upgrade test skipped: ${unavailable}`);
const RELAY_PORT = 7000;
const UPGRADE_ON = { SWARM_NO_DIRECT: '0' };

/** Home routers that drop what nobody inside asked for, instead of answering it with a RST. */
const STEALTH = ['table ip stealth {', '  chain input { type filter hook input priority filter; policy accept;', '    iifname "wan" ct state new drop', '  }', '}', ''].join('\n');
const RANDOM_PORTS = ['flush table ip nat', 'table ip nat {', '  chain postrouting { type nat hook postrouting priority srcnat; policy accept;', '    oifname "wan" masquerade random,fully-random', '  }', '}', ''].join('\n');

describe.skipIf(unavailable !== undefined)('direct upgrade of a relayed get between two homes', () => {
  let lab: NatLab;
  let relayAddress: string;
  beforeAll(() => {
    lab = createNatLab({ homes: 2, publicHosts: ['relay'] });
    for (const router of lab.routers) lab.nft(router.ns, STEALTH);
    relayAddress = `${lab.publicHosts.relay!.address}:${RELAY_PORT}`;
  });
  afterAll(() => lab?.destroy());

  async function run(users: TestUser[], size: number, relayArgs: string[], port: number, getArgs: string[] = []) {
    const [alice, bob, rick] = users as [TestUser, TestUser, TestUser];
    const [homeA, homeB] = lab.homes as [NatLab['homes'][0], NatLab['homes'][0]];
    const dir = tempDir();
    const path = join(dir, 'film.bin');
    writeFileSync(path, randomBytes(size));
    const relay = new CliProcess(['relay', '--port', String(RELAY_PORT), '--json', ...relayArgs], { home: rick.home, wrapper: lab.wrapper(lab.publicHosts.relay!.ns), env: cliEnv(rick.home, UPGRADE_ON) });
    await relay.waitForEvent((e) => e.event === 'ready', 20_000, 'relay ready');
    const share = new CliProcess(['share', path, '--port', String(port), '--relay', relayAddress, '--no-lan', '--json'], { home: alice.home, wrapper: lab.wrapper(homeA.ns), env: cliEnv(alice.home, UPGRADE_ON) });
    await share.waitForEvent((e) => e.event === 'relay' && e.state === 'registered', 30_000, 'alice registered');
    const magnet = String((await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet);
    const out = join(dir, 'out');
    const get = new CliProcess(['get', magnet, '-o', out, '--no-lan', '--json', ...getArgs], { home: bob.home, wrapper: lab.wrapper(homeB.ns), env: cliEnv(bob.home, UPGRADE_ON) });
    expect(await get.exited).toBe(0);
    expect(sameFile(path, join(out, 'film.bin'))).toBe(true);
    await share.stop('SIGINT');
    // Every spliced stream has ended (the share is gone): the relay's byte counts are final.
    const opened = () => relay.events.filter((e) => e.event === 'stream-open').length;
    await relay.waitForEvent(() => relay.events.filter((e) => e.event === 'stream-closed').length >= opened(), 15_000, 'streams closed');
    const relayedBytes = relay.events.filter((e) => e.event === 'stream-closed').reduce((sum, e) => sum + Number(e.bytes), 0);
    await relay.stop('SIGINT');
    const direct = (child: CliProcess) => child.events.filter((e: JsonEvent) => e.event === 'direct');
    return { alice, bob, homeA, homeB, relayedBytes, getDirect: direct(get), shareDirect: direct(share) };
  }

  it('moves the transfer off the relay: file identical, both ends report the direct link, the relay carried less than the file', async () => {
    const size = 6 * 1024 * 1024 + 333;
    // 512 KiB/s through the relay: the whole file that way would take 12 s, the upgrade takes well under that.
    const result = await run(makeUsers(['alice', 'bob', 'rick']), size, ['--max-rate', '512k'], 7101);
    expect(result.getDirect).toHaveLength(1);
    expect(result.getDirect[0]).toMatchObject({ state: 'up', role: 'dialler', key: result.alice.key, name: 'alice', rounds: 1 });
    // alice as bob sees her: her router's public address.
    expect(String(result.getDirect[0]!.address)).toMatch(new RegExp(`^${result.homeA.router.wanAddress.replaceAll('.', '\\.')}:\\d+$`));
    expect(result.shareDirect).toHaveLength(1);
    expect(result.shareDirect[0]).toMatchObject({ state: 'up', role: 'answerer', key: result.bob.key });
    expect(String(result.shareDirect[0]!.address)).toMatch(new RegExp(`^${result.homeB.router.wanAddress.replaceAll('.', '\\.')}:\\d+$`));
    expect(result.relayedBytes).toBeGreaterThan(0);
    expect(result.relayedBytes).toBeLessThan(size);
  }, 180_000);

  it('get --no-direct keeps the transfer on the relay, where the punch would succeed', async () => {
    const size = 1024 * 1024 + 11;
    const result = await run(makeUsers(['alice', 'bob', 'rick']), size, [], 7103, ['--no-direct']);
    expect(result.getDirect).toHaveLength(0);
    expect(result.shareDirect).toHaveLength(0);
    expect(result.relayedBytes).toBeGreaterThan(size);
  }, 120_000);

  it('routers that rewrite ports at random defeat the punch: the get completes through the relay, one "failed" event', async () => {
    for (const router of lab.routers) lab.nft(router.ns, RANDOM_PORTS);
    const size = 2 * 1024 * 1024 + 55;
    // Capped so the get outlasts the punch's bounded rounds (3 of whoami, exchange and at most 5 s of dials, 2 s apart).
    const result = await run(makeUsers(['alice', 'bob', 'rick']), size, ['--max-rate', '64k'], 7102);
    expect(result.getDirect).toHaveLength(1);
    expect(result.getDirect[0]).toMatchObject({ state: 'failed', role: 'dialler', key: result.alice.key, rounds: 3 });
    // The answering end reports only a direct link it holds: none.
    expect(result.shareDirect).toHaveLength(0);
    expect(String(result.getDirect[0]!.reason)).toMatch(/^no direct path to /);
    expect(result.relayedBytes).toBeGreaterThan(size);
  }, 180_000);
});
