/**
 * A port mapping's life, against miniupnpd in the NAT lab:
 * - PCP (RFC 6887) alone maps the port: an outsider fetches through it; the delete on exit
 *   removes it;
 * - a renewal that gets another external port (the router's old port now taken) is said in
 *   a human line with the new link (magnet) to give, not only in --json;
 * - Ctrl-C while the share is still hashing deletes the mapping at the router.
 */
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv } from '../helpers/cli.js';
import { createNatLab, type NatLab } from '../helpers/nat-lab.js';
import { miniupnpdLabUnavailableReason, MINIUPNPD_PUBLIC_SUBNET, startMiniupnpd, type Miniupnpd } from '../helpers/nat-lab-miniupnpd.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, type TestUser } from '../share/cli-peers.js';

const unavailable = miniupnpdLabUnavailableReason();
if (unavailable) console.log(`port-mapping lifecycle test skipped: ${unavailable}`);
const PORT = 7421;

describe.skipIf(unavailable !== undefined)('port mapping: PCP, a moved port, and Ctrl-C while hashing', () => {
  let lab: NatLab;
  let router: Miniupnpd | undefined;
  beforeAll(() => {
    lab = createNatLab({ homes: 1, publicHosts: ['outsider'], publicSubnet: MINIUPNPD_PUBLIC_SUBNET });
  });
  afterEach(() => {
    router?.stop();
    router = undefined;
  });
  afterAll(() => lab?.destroy());

  /** Another host in home A (192.168.1.3) asks the router, over NAT-PMP, for external port `port`. */
  function takePort(port: number): void {
    const home = lab.homes[0]!;
    lab.exec(home.ns, 'ip', ['addr', 'add', '192.168.1.3/24', 'dev', 'eth0']);
    // A NAT-PMP map request (RFC 6886 section 3.3), from that address; prints the answer's fields.
    const script = `
      import dgram from 'node:dgram';
      const s = dgram.createSocket('udp4');
      const request = Buffer.alloc(12);
      request.writeUInt8(2, 1);
      request.writeUInt16BE(5555, 4);
      request.writeUInt16BE(${port}, 6);
      request.writeUInt32BE(120, 8);
      const timer = setTimeout(() => process.exit(3), 3000);
      s.on('message', (m) => { console.log([m.readUInt16BE(2), m.readUInt16BE(8), m.readUInt16BE(10)].join(', ')); clearTimeout(timer); s.close(); });
      s.bind(0, '192.168.1.3', () => s.send(request, 5351, '${home.router.lanAddress}'));
    `;
    const result = lab.exec(home.ns, process.execPath, ['--input-type=module', '-e', script]);
    expect(result.code, result.stderr).toBe(0);
    // result 0 (success), internal 5555, external: the port asked for
    expect(result.stdout.trim()).toBe(`0, 5555, ${port}`);
  }

  it('PCP alone (SWARM_NAT_METHODS=pcp): the outsider gets the file through the mapped port; the mapping is deleted on exit', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    const dir = tempDir();
    const path = join(dir, 'pcp.bin');
    writeFileSync(path, randomBytes(256 * 1024 + 3));
    router = await startMiniupnpd(lab, 0, { natPmp: true, upnp: false });
    const wan = lab.routers[0]!.wanAddress;
    const share = new CliProcess(['share', path, '--port', String(PORT + 2), '--no-lan', '--json'], { home: alice.home, wrapper: lab.wrapper(lab.homes[0]!.ns), env: cliEnv(alice.home, { SWARM_NO_NAT: '0', SWARM_NAT_METHODS: 'pcp' }) });
    const mapped = await share.waitForEvent((e) => e.event === 'port-mapped' || e.code === 'NAT_UNMAPPED', 20_000, 'port-mapped');
    expect(mapped, `${JSON.stringify(mapped)}\n${router.log()}`).toMatchObject({ event: 'port-mapped', method: 'PCP', external: `${wan}:${PORT + 2}` });
    expect(router.redirects().join('\n')).toContain(`dnat ip to ${lab.homes[0]!.address}:${PORT + 2}`);
    const magnet = String((await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet);
    const out = join(dir, 'out');
    const get = new CliProcess(['get', magnet, '-o', out, '--no-lan', '--json', '--timeout', '40s'], { home: bob.home, wrapper: lab.wrapper(lab.publicHosts.outsider!.ns) });
    expect(await get.exited).toBe(0);
    expect(sameFile(path, join(out, 'pcp.bin'))).toBe(true);
    expect(await share.stop('SIGINT', 10_000)).toBe(130);
    expect(share.events.find((e) => e.event === 'port-unmapped')).toMatchObject({ confirmed: true });
    expect(router.redirects().join('\n')).not.toContain(`:${PORT + 2}`);
  }, 90_000);

  it('a renewal that moves the external port prints a line with the new magnet', async () => {
    const [alice] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    const path = join(tempDir(), 'moving.bin');
    writeFileSync(path, randomBytes(64 * 1024));
    router = await startMiniupnpd(lab, 0, { natPmp: true, upnp: false });
    const wan = lab.routers[0]!.wanAddress;
    const share = new CliProcess(['share', path, '--port', String(PORT), '--no-lan'], { home: alice.home, wrapper: lab.wrapper(lab.homes[0]!.ns), env: cliEnv(alice.home, { SWARM_NO_NAT: '0', SWARM_NAT_LEASE_S: '4' }) });
    await share.waitForStderr(new RegExp(`friends outside dial ${wan.replace(/\./g, '\\.')}:${PORT}`), 20_000);
    await share.waitForLine(/magnet:\?/, 30_000);
    // The router restarts and, before our renewal, its old external port goes to another host.
    // (alice's renewals are held back meanwhile, so the other host is first to ask)
    const routerNs = lab.routers[0]!.ns;
    lab.nft(routerNs, `table inet holdback {\n  chain input { type filter hook input priority -10; policy accept;\n    ip saddr ${lab.homes[0]!.address} udp dport 5351 drop\n  }\n}\n`);
    router.stop();
    router = await startMiniupnpd(lab, 0, { natPmp: true, upnp: false });
    takePort(PORT);
    expect(lab.exec(routerNs, 'nft', ['delete', 'table', 'inet', 'holdback']).code).toBe(0);
    const pattern = /the router moved our port mapping from (\S+) to (\S+): friends outside now dial \S+; the link to give them is now:\n(magnet:\S+)/;
    const [, from, to, magnet] = pattern.exec(await share.waitForStderr(pattern, 30_000))!;
    expect(from).toBe(`${wan}:${PORT}`);
    expect(to).toMatch(new RegExp(`^${wan.replace(/\./g, '\\.')}:\\d+$`));
    expect(to).not.toBe(from);
    expect(new URL(magnet!).searchParams.getAll('x.pe')[0]).toBe(to);
    await share.stop('SIGINT');
  }, 90_000);

  it('Ctrl-C while the share is still hashing deletes the mapping', async () => {
    const [alice] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    // 4 GiB of zeros (sparse): hashing outlasts the mapping's answer by far.
    const path = join(tempDir(), 'huge.bin');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 4 * 1024 ** 3);
    closeSync(fd);
    router = await startMiniupnpd(lab, 0, { natPmp: true, upnp: false });
    const share = new CliProcess(['share', path, '--port', String(PORT + 1), '--no-lan', '--json'], { home: alice.home, wrapper: lab.wrapper(lab.homes[0]!.ns), env: cliEnv(alice.home, { SWARM_NO_NAT: '0' }) });
    await share.waitForEvent((e) => e.event === 'port-mapped', 20_000, 'port-mapped');
    expect(router.redirects().join('\n')).toContain(`:${PORT + 1}`);
    expect(share.events.some((e) => e.event === 'ready')).toBe(false);
    expect(await share.stop('SIGINT', 10_000)).toBe(130);
    expect(share.events.some((e) => e.event === 'ready')).toBe(false); // it was still hashing
    expect(share.events.find((e) => e.event === 'port-unmapped')).toMatchObject({ confirmed: true });
    expect(router.redirects().join('\n')).not.toContain(`:${PORT + 1}`);
  }, 90_000);
});
