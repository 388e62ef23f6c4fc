/**
 * The NAT lab itself: homes behind masquerading routers reach the public segment, but
 * nothing dials into a home (not from the public segment, not from another home).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNatLab, natLabUnavailableReason, type NatLab } from '../helpers/nat-lab.js';

const unavailable = natLabUnavailableReason();
if (unavailable) console.log(`nat-lab test skipped: ${unavailable}`);

// A one-shot TCP server inside a namespace: prints the peer address it saw, then exits.
const SERVER = `const s=require('net').createServer(c=>{console.log(c.remoteAddress);c.end();s.close()});s.listen(7000,process.argv[1],()=>console.log('up'));setTimeout(()=>process.exit(3),8000)`;
const CLIENT = `const c=require('net').connect({host:process.argv[1],port:7000,timeout:1500});c.on('connect',()=>{console.log('connected');c.destroy()});c.on('timeout',()=>{console.log('timeout');process.exit(2)});c.on('error',e=>{console.log(e.code);process.exit(2)})`;

describe.skipIf(unavailable !== undefined)('nat lab', () => {
  let lab: NatLab;
  beforeAll(() => {
    lab = createNatLab({ homes: 2, publicHosts: ['outsider'] });
  });
  afterAll(() => lab?.destroy());

  async function dial(fromNs: string, toNs: string, toAddress: string): Promise<{ client: string; seen: string }> {
    const server = lab.spawn(toNs, process.execPath, ['-e', SERVER, '0.0.0.0']);
    let out = '';
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => out.includes('up') && (clearInterval(poll), resolve()), 20);
      server.once('exit', () => (clearInterval(poll), reject(new Error(`server exited: ${out}`))));
    });
    const client = lab.exec(fromNs, process.execPath, ['-e', CLIENT, toAddress]).stdout.trim();
    server.kill();
    await new Promise((resolve) => server.once('exit', resolve));
    return { client, seen: out.replace('up', '').trim() };
  }

  test('names carry the per-run prefix and stay unique across labs', () => {
    const other = createNatLab({ homes: 1 });
    try {
      expect(other.prefix).not.toBe(lab.prefix);
      expect(lab.routers[0]!.ns.startsWith(lab.prefix)).toBe(true);
      const names = new Set(lab.exec(lab.hub, 'ip', ['netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0]));
      for (const ns of [lab.hub, ...lab.routers.map((r) => r.ns), ...lab.homes.map((h) => h.ns)]) expect(names.has(ns)).toBe(true);
    } finally {
      other.destroy();
    }
    const after = lab.exec(lab.hub, 'ip', ['netns', 'list']).stdout;
    expect(after).not.toContain(other.prefix);
  });

  test('a home reaches the public segment, seen as its router (masquerade)', async () => {
    const result = await dial(lab.homes[0]!.ns, lab.publicHosts.outsider!.ns, lab.publicHosts.outsider!.address);
    expect(result.client).toBe('connected');
    expect(result.seen).toBe(lab.routers[0]!.wanAddress);
  });

  test('the public segment cannot dial into a home: not its address, not its router', async () => {
    const outsider = lab.publicHosts.outsider!.ns;
    // Even with a route to the home subnet through the router, the router forwards nothing in.
    expect(lab.exec(outsider, 'ip', ['route', 'add', lab.routers[0]!.lanSubnet, 'via', lab.routers[0]!.wanAddress]).code).toBe(0);
    expect((await dial(outsider, lab.homes[0]!.ns, lab.homes[0]!.address)).client).not.toBe('connected');
    expect((await dial(outsider, lab.homes[0]!.ns, lab.routers[0]!.wanAddress)).client).not.toBe('connected');
  });

  test('home A cannot dial home B', async () => {
    const homeB = lab.homes[1]!;
    expect((await dial(lab.homes[0]!.ns, homeB.ns, homeB.address)).client).not.toBe('connected');
    expect((await dial(lab.homes[0]!.ns, homeB.ns, homeB.router.wanAddress)).client).not.toBe('connected');
  });
});
