// Long links (issue 10): one sharer -> one getter through a userspace delay relay
// (bench/delay-relay.mjs, in this process; netem does not exist here) that adds RTT/2 each
// way, no bandwidth cap. Side by side for each round trip: a raw TCP copy, plain webtorrent
// 2.8.5 and swarm (CLI processes, secure channel), each getter reaching its sender only
// through the relay. Bars: swarm >= 1.0x plain webtorrent; goal >= 50% of the raw copy.
// Env: SHARE_BENCH_MIB (64), SHARE_BENCH_RTTS ("20,80,200" ms), SHARE_BENCH_ROUNDS (1),
//      SHARE_BENCH_CLI_B=<another build's cli.js>: a fourth variant, "swarm (B)", with its own
//      sharer, to compare two builds in one run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDelayRelay } from './delay-relay.mjs';
import { CLI, ROLES, MiB, makeUsers, median, mbps, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';

const SIZE = Number(process.env.SHARE_BENCH_MIB ?? 64) * MiB;
const RTTS = (process.env.SHARE_BENCH_RTTS ?? '20,80,200').split(',').map(Number);
const ROUNDS = Number(process.env.SHARE_BENCH_ROUNDS ?? 1);
const dir = tempDir();
const file = randomFile(join(dir, 'payload.bin'), SIZE);
const { users: [alice, bob], root } = await makeUsers(['alice', 'bob']);
// LAN and DHT discovery off for both ends: on loopback a getter's LAN discovery finds the
// sharer's beacons and dials its direct address, bypassing the relay (until session 8 every
// swarm row here was partly measured over that direct link; plain webtorrent had only the relay).
const envOf = (user) => ({ ...process.env, SWARM_HOME: user.home, SWARM_NO_LAN: '1', SWARM_NO_DHT: '1' });
console.log(`start: ${new Date().toISOString()}, load average ${loadAverage()}`);

const CLI_B = process.env.SHARE_BENCH_CLI_B;
async function startSharer(cli) {
  const sharer = startChild([cli, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: envOf(alice) });
  const magnet = (await sharer.waitFor((e) => e.event === 'ready')).event.magnet;
  return { sharer, magnet, port: Number(decodeURIComponent(/x\.pe=([^&]+)/.exec(magnet)[1]).split(':').pop()) };
}
const { sharer, magnet: swarmMagnet, port: sharerPort } = await startSharer(CLI);
const sharerB = CLI_B ? await startSharer(CLI_B) : undefined;
const wtSeeder = startChild([ROLES, 'wt-seed', file]);
const { magnet: wtDirectMagnet, port: wtPort } = (await wtSeeder.waitFor((e) => e.magnet)).event;

const results = {}; // `${rtt}/${name}` -> { wall: [], transfer: [] }
const record = (rtt, name, wallMs, transferMs) => {
  const r = (results[`${rtt}/${name}`] ??= { wall: [], transfer: [] });
  r.wall.push(wallMs);
  if (transferMs !== undefined) r.transfer.push(transferMs);
};

async function withRelay(targetPort, rttMs, run) {
  const relay = await startDelayRelay({ targetPort, oneWayDelayMs: rttMs / 2 });
  try {
    return await run(relay.port);
  } finally {
    await relay.close();
  }
}

async function runRaw(rtt, out) {
  const sender = startChild([ROLES, 'raw-send', file]);
  const port = (await sender.waitFor((e) => e.port)).event.port;
  await withRelay(port, rtt, async (relayPort) => {
    const receiver = startChild([ROLES, 'raw-recv', String(relayPort), join(out, 'raw.bin')], { timed: true });
    const done = await receiver.waitFor((e) => e.bytes, 600_000);
    await receiver.exited;
    record(rtt, 'raw TCP copy', done.atMs);
  });
  await sender.exited;
}

async function runGetter(rtt, name, targetPort, argsFor, env, isDone, isMetadata) {
  await withRelay(targetPort, rtt, async (relayPort) => {
    const getter = startChild(argsFor(relayPort), { env, timed: true });
    const done = await getter.waitFor(isDone, 600_000);
    const meta = await getter.waitFor(isMetadata);
    await getter.exited;
    record(rtt, name, done.atMs, done.atMs - meta.atMs);
  });
}

const infoHashOf = (magnet) => /xt=urn:btih:([0-9a-f]{40})/i.exec(magnet)[1];
// The getters must not find the direct address: the magnets name the relay only.
const withoutAddresses = (magnet) => magnet.replace(/&x\.pe=[^&]*/g, '');
const variants = [
  (rtt, out) => runRaw(rtt, out),
  (rtt, out) =>
    runGetter(rtt, 'plain webtorrent 2.8.5', wtPort, (p) => [ROLES, 'wt-get', `magnet:?xt=urn:btih:${infoHashOf(wtDirectMagnet)}&x.pe=127.0.0.1:${p}`, out], process.env, (e) => e.done, (e) => e.metadata),
  (rtt, out) =>
    runGetter(rtt, 'swarm', sharerPort, (p) => [CLI, 'get', withoutAddresses(swarmMagnet), '--peer', `127.0.0.1:${p}`, '-o', out, '--json'], envOf(bob), (e) => e.event === 'done', (e) => e.event === 'metadata'),
];
if (sharerB) {
  variants.push((rtt, out) =>
    runGetter(rtt, 'swarm (B)', sharerB.port, (p) => [CLI_B, 'get', withoutAddresses(sharerB.magnet), '--peer', `127.0.0.1:${p}`, '-o', out, '--json'], envOf(bob), (e) => e.event === 'done', (e) => e.event === 'metadata'));
}
for (const rtt of RTTS) {
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < variants.length; i++) {
      const out = join(dir, `out-${rtt}-${round}-${i}`);
      mkdirSync(out);
      await variants[(i + round) % variants.length](rtt, out);
      removeDir(out);
    }
  }
  console.log(`RTT ${rtt} ms done (load average ${loadAverage()})`);
}
await sharer.kill();
await sharerB?.sharer.kill();
await wtSeeder.kill('SIGKILL');
removeDir(dir);
removeDir(root);

console.log(`\n${SIZE / MiB} MiB through a delay relay, median of ${ROUNDS} round(s) (MB = 10^6 bytes); end: load average ${loadAverage()}`);
console.log(`| RTT | raw TCP MB/s | plain webtorrent MB/s (metadata to done) | swarm MB/s (metadata to done) | swarm / webtorrent | swarm / raw |${sharerB ? ' swarm (B) MB/s (metadata to done) |' : ''}`);
console.log(`|---|---|---|---|---|---|${sharerB ? '---|' : ''}`);
for (const rtt of RTTS) {
  const speed = (name) => mbps(SIZE, median(results[`${rtt}/${name}`].wall));
  const transfer = (name) => mbps(SIZE, median(results[`${rtt}/${name}`].transfer));
  const raw = speed('raw TCP copy');
  const wt = speed('plain webtorrent 2.8.5');
  const sw = speed('swarm');
  const b = sharerB ? ` ${speed('swarm (B)').toFixed(1)} (${transfer('swarm (B)').toFixed(1)}) |` : '';
  console.log(`| ${rtt} ms | ${raw.toFixed(1)} | ${wt.toFixed(1)} (${transfer('plain webtorrent 2.8.5').toFixed(1)}) | ${sw.toFixed(1)} (${transfer('swarm').toFixed(1)}) | ${(sw / wt).toFixed(2)}x | ${((100 * sw) / raw).toFixed(0)} % |${b}`);
}
