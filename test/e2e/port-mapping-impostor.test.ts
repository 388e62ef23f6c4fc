/**
 * Hostile "routers" on the home LAN, against the real CLI: only the default gateway is
 * believed, and what it sends is capped. A fake IGD answers SSDP from another LAN address
 * (or from the gateway's, pointing elsewhere, or with an endless description) and would
 * grant any AddPortMapping; the sharer must not take any of it for a mapping.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { createNatLab, natLabUnavailableReason, type NatLab } from '../helpers/nat-lab.js';

const unavailable = natLabUnavailableReason();
if (unavailable) console.log(`port-mapping impostor test skipped: ${unavailable}`);

const IMPOSTOR = '192.168.1.3';
// argv: mode, gateway address. Answers every M-SEARCH; serves a description whose control
// URL is on the LOCATION host; grants everything; counts HTTP requests on stdout.
const FAKE_IGD = `
const [mode, gateway] = process.argv.slice(1);
const dgram = require('dgram'), http = require('http');
const from = mode === 'other-host' ? '${IMPOSTOR}' : gateway;
const httpHost = mode === 'elsewhere' ? '${IMPOSTOR}' : from;
const desc = '<root><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl</controlURL></service></serviceList></device></root>';
http.createServer((req, res) => {
  console.log('http ' + req.method + ' ' + req.url);
  if (mode === 'endless' && req.method === 'GET') { res.writeHead(200); const chunk = Buffer.alloc(16384, 32); const pump = () => { while (res.write(chunk)); }; res.on('drain', pump); pump(); return; }
  if (req.method === 'GET') return res.end(desc);
  const action = /#(\\w+)/.exec(req.headers.soapaction)[1];
  res.end('<s:Envelope><s:Body><u:' + action + 'Response xmlns:u="x"><NewExternalIPAddress>6.6.6.6</NewExternalIPAddress></u:' + action + 'Response></s:Body></s:Envelope>');
}).listen(8099, httpHost, () => console.log('up'));
const listener = dgram.createSocket({ type: 'udp4', reuseAddr: true });
const sender = dgram.createSocket('udp4');
sender.bind(0, from);
listener.bind(1900, () => listener.addMembership('239.255.255.250', gateway));
listener.on('message', (m, rinfo) => {
  if (!m.toString().startsWith('M-SEARCH')) return;
  console.log('search');
  sender.send('HTTP/1.1 200 OK\\r\\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\\r\\nLOCATION: http://' + httpHost + ':8099/desc.xml\\r\\n\\r\\n', rinfo.port, rinfo.address);
});
setTimeout(() => process.exit(0), 60000);
`;

async function startFake(lab: NatLab, mode: string): Promise<{ log(): string; stop(): void }> {
  const fake = lab.spawn(lab.routers[0]!.ns, process.execPath, ['-e', FAKE_IGD, mode, lab.routers[0]!.lanAddress]);
  let log = '';
  fake.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const deadline = Date.now() + 10_000;
  while (!log.includes('up') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return { log: () => log, stop: () => fake.kill() };
}

describe.skipIf(unavailable !== undefined)('port mapping: impostor gateways on the LAN', () => {
  let lab: NatLab;
  const [home, work] = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'swarm-nat-')));
  const file = join(work!, 'small.bin');

  beforeAll(async () => {
    lab = createNatLab({ homes: 1 });
    expect(lab.exec(lab.routers[0]!.ns, 'ip', ['addr', 'add', `${IMPOSTOR}/24`, 'dev', 'lan']).code).toBe(0);
    expect((await runCli(['id'], { home: home! })).code).toBe(0);
    writeFileSync(file, 'hello');
  });
  afterAll(() => {
    lab?.destroy();
    for (const dir of [home, work]) rmSync(dir!, { recursive: true, force: true });
  });

  const share = () => new CliProcess(['share', file, '--port', '7420', '--json'], { home: home!, wrapper: lab.wrapper(lab.homes[0]!.ns), env: cliEnv(home!, { SWARM_NO_NAT: '0' }) });

  test('control: the same fake IGD at the gateway\'s own address is believed (so the refusals below are the checks, not a broken fake)', async () => {
    const fake = await startFake(lab, 'gateway');
    try {
      const sharer = share();
      expect(await sharer.waitForEvent((e) => e.event === 'port-mapped' || e.code === 'NAT_UNMAPPED', 30_000, 'mapping answer')).toMatchObject({ event: 'port-mapped', method: 'UPnP', external: '6.6.6.6:7420' });
      await sharer.stop();
      expect(fake.log()).toContain('http POST /ctl');
    } finally {
      fake.stop();
    }
  });

  for (const [mode, expectedReason, isFetched] of [
    ['other-host', /UPnP: no answer to the SSDP search/, false],
    ['elsewhere', /UPnP: no answer to the SSDP search/, false],
    ['endless', /UPnP: answer over 65536 bytes/, true],
  ] as const) {
    test(`${mode}: no mapping is claimed`, async () => {
      const fake = await startFake(lab, mode);
      try {
        const sharer = share();
        const warning = await sharer.waitForEvent((e) => e.event === 'port-mapped' || (e.event === 'warning' && e.code === 'NAT_UNMAPPED'), 30_000, 'mapping answer');
        expect(warning.event).toBe('warning');
        expect(String(warning.message)).toMatch(expectedReason);
        const ready = await sharer.waitForEvent((e) => e.event === 'ready', 20_000, 'ready');
        expect(String(ready.magnet)).not.toContain('6.6.6.6');
        await sharer.stop();
        expect(fake.log()).toContain('search'); // the impostor did hear the search
        expect(fake.log().includes('http GET'), fake.log()).toBe(isFetched);
        expect(fake.log()).not.toContain('http POST');
      } finally {
        fake.stop();
      }
    });
  }
});
