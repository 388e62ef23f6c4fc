// LAN discovery (issue 11): wall time from spawning `swarm get` to `done` for a 64 KiB file
// (about the time to the first byte: one piece) with the magnet's address hint and LAN off,
// and with the hint stripped so only LAN beacons find the sharer; plus the datagrams a node
// sends per minute while idle. Everything on loopback: the sharer on 127.0.0.2, getters on
// 127.0.0.3, beacons on 239.255.79.27 via 127.0.0.1 on a UDP port of this run's own.
import { join } from 'node:path';
import { CLI, makeUsers, median, randomFile, startChild, tempDir } from './share-harness.mjs';

const RUNS = Number(process.env.DISCOVERY_RUNS ?? 5);
const IDLE_S = Number(process.env.DISCOVERY_IDLE_S ?? 60);
const lanEnv = { SWARM_NO_LAN: '0', SWARM_LAN_PORT: String(40000 + (process.pid % 20000)), SWARM_LAN_INTERFACE: '127.0.0.1' };
const { users: [alice, bob] } = await makeUsers(['alice', 'bob']);
const source = randomFile(join(tempDir(), 'small.bin'), 64 * 1024);
const share = startChild([CLI, 'share', source, '--json', '--host', '127.0.0.2', '--port', '0'], { env: { ...process.env, ...lanEnv, SWARM_HOME: alice.home } });
const magnet = String((await share.waitFor((e) => e.event === 'ready')).event.magnet);
const stripped = magnet.replace(/&x\.pe=[^&]*/g, '');

async function timeGet(link, extra) {
  const get = startChild([CLI, 'get', link, '-o', tempDir(), '--host', '127.0.0.3', '--json', ...extra], { env: { ...process.env, ...lanEnv, SWARM_HOME: bob.home } });
  const done = await get.waitFor((e) => e.event === 'done');
  const found = get.events.find((e) => e.event.event === 'discovered');
  await get.kill('SIGINT');
  return { doneMs: done.atMs, discoveredMs: found?.atMs };
}

async function row(name, link, extra) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timeGet(link, extra));
  const done = runs.map((r) => r.doneMs);
  const found = runs.map((r) => r.discoveredMs).filter((ms) => ms !== undefined);
  console.log(`| ${name} | ${median(done).toFixed(0)} | ${done.map((ms) => ms.toFixed(0)).join(', ')} | ${found.length ? median(found).toFixed(0) : '-'} |`);
}

console.log('| get of a 64 KiB file | median ms to done | runs (ms) | median ms to `discovered` |');
console.log('|---|---|---|---|');
await row('address hint (x.pe), --no-lan', magnet, ['--no-lan']);
await row('no hint, LAN beacons only', stripped, []);
await share.kill('SIGINT');

// Idle traffic: one node trusting 3 keys (one beacon per round), nobody answering.
const { LanDiscovery } = await import('../dist/discovery/lan-discovery.js');
const { lanConfig } = await import('../dist/discovery/lan-config.js');
const { createIdentity } = await import('../dist/identity/identity.js');
const trusted = [createIdentity(), createIdentity(), createIdentity()].map((id) => id.publicKey);
const idle = new LanDiscovery({ identity: createIdentity(), trustedKeys: () => trusted, listenPort: 7927, config: lanConfig(lanEnv, {}), held: () => [] });
await idle.start();
await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
const sent = idle.sentCount;
await idle.close();
console.log(`\nidle: ${sent} datagrams in ${IDLE_S} s = ${((sent * 60) / IDLE_S).toFixed(1)} per minute (IPv4 only; ${29 + 8 * 16} bytes each)`);
