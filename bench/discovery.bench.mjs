// LAN and DHT discovery (issue 11): wall time from spawning `swarm get` to `done` for a 64 KiB
// file (about the time to the first byte: one piece) with the magnet's address hint (LAN and
// DHT off), with the hint stripped so only LAN beacons find the sharer, and stripped with LAN
// off so only a private DHT of 50 bittorrent-dht nodes (bench/private-dht.mjs, one process on
// 127.0.51.x) does; plus the datagrams a node sends per minute while idle (LAN, and DHT). All
// on loopback: sharer 127.0.0.2, getters 127.0.0.3; never the public DHT.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, makeUsers, median, randomFile, startChild, tempDir } from './share-harness.mjs';

const RUNS = Number(process.env.DISCOVERY_RUNS ?? 5);
const IDLE_S = Number(process.env.DISCOVERY_IDLE_S ?? 60);
const lanEnv = { SWARM_NO_LAN: '0', SWARM_LAN_PORT: String(40000 + (process.pid % 20000)), SWARM_LAN_INTERFACE: '127.0.0.1' };
const dhtChild = spawn(process.execPath, [fileURLToPath(new URL('./private-dht.mjs', import.meta.url)), '50', '127.0.51', String(30 * 60_000)], { stdio: ['pipe', 'pipe', 'inherit'] });
const dhtNodes = await new Promise((resolve) => dhtChild.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk).split('\n')[0]).nodes)));
const dhtEnv = { SWARM_NO_DHT: '0', SWARM_DHT_BOOTSTRAP: dhtNodes.slice(0, 3).map((n) => `${n.host}:${n.port}`).join(',') };
const { users: [alice, bob] } = await makeUsers(['alice', 'bob']);
const source = randomFile(join(tempDir(), 'small.bin'), 64 * 1024);
const share = startChild([CLI, 'share', source, '--json', '--host', '127.0.0.2', '--port', '0'], { env: { ...process.env, ...lanEnv, ...dhtEnv, SWARM_HOME: alice.home } });
const magnet = String((await share.waitFor((e) => e.event === 'ready')).event.magnet);
const stripped = magnet.replace(/&x\.pe=[^&]*/g, '');

async function timeGet(link, extra) {
  const get = startChild([CLI, 'get', link, '-o', tempDir(), '--host', '127.0.0.3', '--json', ...extra], { env: { ...process.env, ...lanEnv, ...dhtEnv, SWARM_HOME: bob.home } });
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
await row('address hint (x.pe), --no-lan --no-dht', magnet, ['--no-lan', '--no-dht']);
await row('no hint, LAN beacons only', stripped, ['--no-dht']);
await row('no hint, private DHT (50 nodes) only', stripped, ['--no-lan']);
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
// And a DHT node in the private DHT: a chat-like presence for 3 trusted keys, nobody answering.
const { DhtNode } = await import('../dist/discovery/dht-node.js');
const { DhtDiscovery } = await import('../dist/discovery/dht-discovery.js');
const dhtNode = await DhtNode.start({ config: { bootstrap: dhtNodes.slice(0, 3), isPublic: false }, listenHost: '127.0.0.4' });
const sentAtStart = dhtNode.sentCount;
const presence = new DhtDiscovery({ node: dhtNode, identity: createIdentity(), trustedKeys: () => trusted, listenPort: 7000, isPresence: true });
presence.start();
await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
const dhtSent = dhtNode.sentCount - sentAtStart;
// Steady state (DISCOVERY_DHT_STEADY_S > 0): after the start rounds (0 … 120 s), rounds come every 5 min.
const STEADY_S = Number(process.env.DISCOVERY_DHT_STEADY_S ?? 0);
let steadyLine = '';
if (STEADY_S > 0) {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 130 - IDLE_S) * 1000));
  const [sentBefore, opsBefore] = [dhtNode.sentCount, presence.operationCount];
  await new Promise((resolve) => setTimeout(resolve, STEADY_S * 1000));
  const steady = dhtNode.sentCount - sentBefore;
  steadyLine = `idle DHT steady state (${STEADY_S} s from 130 s on): ${steady} datagrams = ${((steady * 60) / STEADY_S).toFixed(1)} per minute; ${presence.operationCount - opsBefore} lookups/announces`;
}
await presence.close();
await dhtNode.close();
dhtChild.stdin.end();
console.log(`\nidle: ${sent} datagrams in ${IDLE_S} s = ${((sent * 60) / IDLE_S).toFixed(1)} per minute (IPv4 only; ${29 + 8 * 16} bytes each)`);
console.log(`idle DHT (presence for 3 keys, first ${IDLE_S} s after bootstrap, includes the start rounds at 0, 5, 15, 30 s): ${dhtSent} datagrams = ${((dhtSent * 60) / IDLE_S).toFixed(1)} per minute; ${presence.operationCount} lookups/announces`);
if (steadyLine) console.log(steadyLine);
