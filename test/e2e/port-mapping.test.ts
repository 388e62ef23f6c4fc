/**
 * Port mapping against a real router: miniupnpd in the NAT lab's router namespace, a sharer
 * in the home behind it (NAT on: SWARM_NO_NAT=0), a getter on the public segment that can
 * reach the home only through the mapped port. NAT-PMP and UPnP IGD each alone; the mapping
 * is gone from the router's nft rules after the sharer exits; a router with no mapping
 * service gets a one-line warning and the share still serves.
 */
import { afterAll, beforeAll, afterEach, describe, expect, test } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { createNatLab, type NatLab } from '../helpers/nat-lab.js';
import { miniupnpdLabUnavailableReason, MINIUPNPD_PUBLIC_SUBNET, startMiniupnpd, type Miniupnpd } from '../helpers/nat-lab-miniupnpd.js';
import { tempDir } from '../helpers/temp-home.js';

const unavailable = miniupnpdLabUnavailableReason();
if (unavailable) console.log(`port-mapping test skipped: ${unavailable}`);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const PORT = 7411;

async function keyOf(home: string): Promise<string> {
  return (await runCli(['id'], { home })).stdout.split('\n')[0]!;
}

describe.skipIf(unavailable !== undefined)('port mapping through a real home router (miniupnpd)', () => {
  let lab: NatLab;
  let router: Miniupnpd | undefined;
  // Homes and the file live for the whole suite (tempDir() would remove them after each test).
  const [aliceHome, bobHome, work] = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'swarm-nat-')));
  const file = join(work!, 'payload.bin');

  beforeAll(async () => {
    lab = createNatLab({ homes: 1, publicHosts: ['outsider'], publicSubnet: MINIUPNPD_PUBLIC_SUBNET });
    const [aliceKey, bobKey] = [await keyOf(aliceHome!), await keyOf(bobHome!)];
    await runCli(['trust', 'add', bobKey, '--name', 'bob'], { home: aliceHome! });
    await runCli(['trust', 'add', aliceKey, '--name', 'alice'], { home: bobHome! });
    writeFileSync(file, randomBytes(1024 * 1024 + 77));
  });
  afterEach(() => {
    router?.stop();
    router = undefined;
  });
  afterAll(() => {
    lab?.destroy();
    for (const dir of [aliceHome, bobHome, work]) rmSync(dir!, { recursive: true, force: true });
  });

  const share = (extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    new CliProcess(['share', file, '--port', String(PORT), '--json', ...extraArgs], {
      home: aliceHome!,
      wrapper: lab.wrapper(lab.homes[0]!.ns),
      env: cliEnv(aliceHome!, { SWARM_NO_NAT: '0', ...env }),
    });

  async function getFromOutside(magnet: string, timeout = '40s'): Promise<number | null> {
    const outDir = join(tempDir(), 'out');
    const getter = new CliProcess(['get', magnet, '-o', outDir, '--json', '--timeout', timeout], { home: bobHome!, wrapper: lab.wrapper(lab.publicHosts.outsider!.ns) });
    const code = await getter.exited;
    if (code === 0) expect(sha256(readFileSync(join(outDir, 'payload.bin')))).toBe(sha256(readFileSync(file)));
    return code;
  }

  for (const method of ['NAT-PMP', 'UPnP'] as const) {
    test(`${method}: the outsider gets the file through the mapped port; the mapping is removed on exit`, async () => {
      router = await startMiniupnpd(lab, 0, { natPmp: method === 'NAT-PMP', upnp: method === 'UPnP' });
      const wan = lab.routers[0]!.wanAddress;
      const sharer = share();
      const mapped = await sharer.waitForEvent((e) => e.event === 'port-mapped' || e.code === 'NAT_UNMAPPED', 20_000, 'port-mapped');
      expect(mapped.event, `${JSON.stringify(mapped)}\n${router.log()}`).toBe('port-mapped');
      expect(mapped).toMatchObject({ method, external: `${wan}:${PORT}`, internalPort: PORT, verified: false });
      expect(router.redirects().join('\n')).toContain(`dnat ip to ${lab.homes[0]!.address}:${PORT}`);
      const ready = await sharer.waitForEvent((e) => e.event === 'ready', 20_000, 'share ready');
      const magnet = String(ready.magnet);
      // The router's external address comes first; the home's private one is useless outside.
      expect(new URL(magnet).searchParams.getAll('x.pe')[0]).toBe(`${wan}:${PORT}`);
      expect(await getFromOutside(magnet)).toBe(0);
      // The outsider's link came in through the router: that, not the router's word, verifies the mapping.
      expect(await sharer.waitForEvent((e) => e.event === 'port-mapping-verified', 10_000, 'verified')).toMatchObject({ external: `${wan}:${PORT}`, from: lab.publicHosts.outsider!.address });

      expect(await sharer.stop('SIGTERM')).toBe(143);
      expect(sharer.events.find((e) => e.event === 'port-unmapped')).toMatchObject({ external: `${wan}:${PORT}`, confirmed: true });
      expect(router.redirects()).toEqual([]);
    });
  }

  test('chat: a friend outside links to the mapped port and the two talk', async () => {
    router = await startMiniupnpd(lab, 0, { natPmp: true, upnp: false });
    const wan = lab.routers[0]!.wanAddress;
    const alice = new CliProcess(['chat', '--port', String(PORT + 1), '--json'], {
      home: aliceHome!,
      wrapper: lab.wrapper(lab.homes[0]!.ns),
      env: cliEnv(aliceHome!, { SWARM_NO_NAT: '0' }),
    });
    expect(await alice.waitForEvent((e) => e.event === 'port-mapped', 20_000, 'port-mapped')).toMatchObject({ external: `${wan}:${PORT + 1}` });
    const bob = new CliProcess(['chat', '--peer', `${wan}:${PORT + 1}`, '--json'], { home: bobHome!, wrapper: lab.wrapper(lab.publicHosts.outsider!.ns) });
    await bob.waitForEvent((e) => e.event === 'peer-join', 20_000, 'bob linked');
    expect(await alice.waitForEvent((e) => e.event === 'port-mapping-verified', 20_000, 'verified')).toMatchObject({ from: lab.publicHosts.outsider!.address });
    bob.send('hello from outside');
    expect(await alice.waitForEvent((e) => e.event === 'message', 20_000, 'message')).toMatchObject({ text: 'hello from outside', name: 'bob' });
    await bob.stop();
    await alice.stop();
    expect(alice.events.find((e) => e.event === 'port-unmapped')).toMatchObject({ confirmed: true });
    expect(router.redirects()).toEqual([]);
  });

  test('get --seed maps its port once complete, and removes the mapping on exit', async () => {
    router = await startMiniupnpd(lab, 0, { natPmp: false, upnp: true });
    const wan = lab.routers[0]!.wanAddress;
    const outsider = lab.publicHosts.outsider!;
    // Roles swapped: bob shares from the public segment, alice fetches at home and seeds.
    const sharer = new CliProcess(['share', file, '--host', outsider.address, '--port', String(PORT + 3), '--json'], { home: bobHome!, wrapper: lab.wrapper(outsider.ns) });
    const magnet = String((await sharer.waitForEvent((e) => e.event === 'ready', 20_000, 'share ready')).magnet);
    const seeder = new CliProcess(['get', magnet, '-o', join(tempDir(), 'out'), '--seed', '--port', String(PORT + 4), '--json'], {
      home: aliceHome!,
      wrapper: lab.wrapper(lab.homes[0]!.ns),
      env: cliEnv(aliceHome!, { SWARM_NO_NAT: '0' }),
    });
    await seeder.waitForEvent((e) => e.event === 'seeding', 30_000, 'seeding');
    expect(await seeder.waitForEvent((e) => e.event === 'port-mapped' || e.code === 'NAT_UNMAPPED', 20_000, 'port-mapped')).toMatchObject({ method: 'UPnP', external: `${wan}:${PORT + 4}` });
    expect(router.redirects().join('\n')).toContain(`:${PORT + 4}`);
    await seeder.stop('SIGTERM');
    expect(seeder.events.find((e) => e.event === 'port-unmapped')).toMatchObject({ confirmed: true });
    expect(router.redirects()).toEqual([]);
    await sharer.stop();
  });

  test('without the mapping the outsider cannot get it (the lab forwards nothing by itself)', async () => {
    router = await startMiniupnpd(lab, 0, { natPmp: true, upnp: true });
    const sharer = share(['--no-nat']);
    const ready = await sharer.waitForEvent((e) => e.event === 'ready', 20_000, 'share ready');
    expect(sharer.events.some((e) => e.event === 'port-mapped' || e.event === 'warning' && e.code === 'NAT_UNMAPPED')).toBe(false);
    expect(router.redirects()).toEqual([]);
    const wan = lab.routers[0]!.wanAddress;
    const magnet = `${String(ready.magnet)}&x.pe=${encodeURIComponent(`${wan}:${PORT}`)}`;
    expect(await getFromOutside(magnet, '3s')).not.toBe(0);
    await sharer.stop();
  });

  test('a router with no mapping service: one warning line, and the share still serves', async () => {
    const sharer = new CliProcess(['share', file, '--port', String(PORT)], {
      home: aliceHome!,
      wrapper: lab.wrapper(lab.homes[0]!.ns),
      env: cliEnv(aliceHome!, { SWARM_NO_NAT: '0' }),
    });
    const line = await sharer.waitForStderr(/no port mapping \(.*\n/, 20_000);
    expect(line).toMatch(/^no port mapping \(router 192\.168\.1\.1: NAT-PMP: no answer; UPnP: no answer to the SSDP search\): friends outside your network cannot dial you unless TCP port 7411 is forwarded/);
    await sharer.waitForLine(/magnet:\?/, 20_000);
    expect(sharer.hasExited).toBe(false);
    expect(sharer.stderr).not.toMatch(/\n\s+at /);
    await sharer.stop();
  });

  test('a machine with a public address asks nothing and warns of nothing', async () => {
    const outsider = lab.publicHosts.outsider!;
    expect(lab.exec(outsider.ns, 'ip', ['route', 'replace', 'default', 'via', lab.routers[0]!.wanAddress]).code).toBe(0);
    try {
      const chat = new CliProcess(['chat', '--port', String(PORT + 2), '--json'], { home: bobHome!, wrapper: lab.wrapper(outsider.ns), env: cliEnv(bobHome!, { SWARM_NO_NAT: '0' }) });
      expect(await chat.waitForEvent((e) => e.event === 'port-mapping-skipped', 20_000, 'skipped')).toMatchObject({ reason: 'public-address', localAddress: outsider.address });
      await chat.stop();
      expect(chat.events.some((e) => e.event === 'warning' || e.event === 'port-mapped')).toBe(false);
    } finally {
      lab.exec(outsider.ns, 'ip', ['route', 'del', 'default']);
    }
  });

  for (const method of ['NAT-PMP', 'UPnP'] as const) test(`the lease is renewed before it ends (${method}, 4 s lease)`, async () => {
    router = await startMiniupnpd(lab, 0, { natPmp: method === 'NAT-PMP', upnp: method === 'UPnP' });
    const sharer = share([], { SWARM_NAT_LEASE_S: '4' });
    expect(await sharer.waitForEvent((e) => e.event === 'port-mapped', 20_000, 'port-mapped')).toMatchObject({ method, leaseS: 4 });
    await sharer.waitForEvent((e) => e.event === 'port-mapping-renewed', 20_000, 'first renewal');
    const renewals = () => sharer.events.filter((e) => e.event === 'port-mapping-renewed').length;
    const renewedBy = Date.now() + 30_000;
    while (renewals() < 3 && Date.now() < renewedBy) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(renewals()).toBeGreaterThanOrEqual(3);
    // Three renewals (>= 6 s) into a 4 s lease, the router still forwards.
    expect(router.redirects().length).toBe(1);
    // The control: killed (no renewal, no delete), the mapping dies with its lease, so the
    // renewals above are what kept it.
    await sharer.stop('SIGKILL');
    const expired = /remove port mapping 7411 TCP because it has expired/;
    const deadline = Date.now() + 30_000;
    // Both: the rule gone and miniupnpd's reason for it (its log arrives through a pipe, maybe later).
    while ((router.redirects().length > 0 || !expired.test(router.log())) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(router.redirects()).toEqual([]);
    expect(router.log(), router.log().slice(-1500)).toMatch(expired);
  });
});
