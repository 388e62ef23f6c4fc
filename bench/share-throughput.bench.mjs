// Benchmark 1: one sharer -> one getter over loopback, side by side in one go:
// raw TCP file copy, plain webtorrent 2.8.5 (its own plaintext TCP), swarm (CLI processes,
// secure channel), all with the same (create-torrent default) piece size. Rounds rotate the order;
// medians are reported. Besides wall-clock speed, CPU seconds of both ends are measured:
// on a shared 2-core machine CPU per MB is the steadier comparison.
// Env: SHARE_BENCH_MIB (default 256), SHARE_BENCH_ROUNDS (default 3),
//      SHARE_BENCH_CLI_B=<path to another build's cli.js>: a fourth variant, "swarm (B)", with
//      its own sharer, in the same rounds (e.g. main's dist copied aside).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAverage } from './load-average.mjs';
import { CLI, ROLES, MiB, cpuSecondsOf, makeUsers, median, mbps, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';

const SIZE = Number(process.env.SHARE_BENCH_MIB ?? 256) * MiB;
const ROUNDS = Number(process.env.SHARE_BENCH_ROUNDS ?? 3);
const CLI_B = process.env.SHARE_BENCH_CLI_B;
console.log(`load average ${loadAverage()} at the start`);
const dir = tempDir();
const file = randomFile(join(dir, 'payload.bin'), SIZE);
const { users: [alice, bob], root } = await makeUsers(['alice', 'bob']);
const envOf = (user, extra = {}) => ({ ...process.env, SWARM_HOME: user.home, ...extra });

async function startSwarmSharer(extraEnv, cli = CLI) {
  const sharer = startChild([cli, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: envOf(alice, extraEnv) });
  return { sharer, magnet: (await sharer.waitFor((e) => e.event === 'ready')).event.magnet };
}
const swarmDefault = await startSwarmSharer({});
const swarmB = CLI_B ? await startSwarmSharer({}, CLI_B) : undefined;
const wtSeeder = startChild([ROLES, 'wt-seed', file]);
const wtMagnet = (await wtSeeder.waitFor((e) => e.magnet)).event.magnet;

const stats = {};
const record = (name, wallMs, transferMs, getterCpu, senderCpu) => {
  stats[name] ??= { wall: [], transfer: [], getterCpu: [], senderCpu: [] };
  stats[name].wall.push(wallMs);
  if (transferMs !== undefined) stats[name].transfer.push(transferMs);
  stats[name].getterCpu.push(getterCpu);
  stats[name].senderCpu.push(senderCpu);
};

async function runRaw(out) {
  const sender = startChild([ROLES, 'raw-send', file], { timed: true });
  const port = (await sender.waitFor((e) => e.port)).event.port;
  const receiver = startChild([ROLES, 'raw-recv', String(port), join(out, 'raw.bin')], { timed: true });
  const done = await receiver.waitFor((e) => e.bytes);
  await receiver.exited;
  await sender.exited;
  record('raw TCP copy', done.atMs, undefined, receiver.cpuSeconds, sender.cpuSeconds);
}

async function runGetter(name, args, env, sender, isDone, isMetadata) {
  const before = cpuSecondsOf(sender.child.pid);
  const getter = startChild(args, { env, timed: true });
  const done = await getter.waitFor(isDone);
  const meta = await getter.waitFor(isMetadata);
  await getter.exited;
  record(name, done.atMs, done.atMs - meta.atMs, getter.cpuSeconds, cpuSecondsOf(sender.child.pid) - before);
}

const variants = [
  (out) => runRaw(out),
  (out) => runGetter('plain webtorrent 2.8.5', [ROLES, 'wt-get', wtMagnet, out], process.env, wtSeeder, (e) => e.done, (e) => e.metadata),
  (out) => runGetter('swarm', [CLI, 'get', swarmDefault.magnet, '-o', out, '--json'], envOf(bob), swarmDefault.sharer, (e) => e.event === 'done', (e) => e.event === 'metadata'),
];
if (swarmB) variants.push((out) => runGetter('swarm (B)', [CLI_B, 'get', swarmB.magnet, '-o', out, '--json'], envOf(bob), swarmB.sharer, (e) => e.event === 'done', (e) => e.event === 'metadata'));
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < variants.length; i++) {
    const out = join(dir, `out-${round}-${i}`);
    mkdirSync(out);
    await variants[(i + round) % variants.length](out);
    removeDir(out);
  }
  console.log(`round ${round + 1} done (load average ${loadAverage()})`);
}
await swarmDefault.sharer.kill();
await swarmB?.sharer.kill();
await wtSeeder.kill('SIGKILL');
removeDir(dir);
removeDir(root);

console.log(`\n${SIZE / MiB} MiB, loopback, median of ${ROUNDS} rounds (MB = 10^6 bytes)`);
console.log('| | MB/s, process start to done | MB/s, metadata to done | getter CPU s | sender CPU s | MB per CPU-second (both ends) |');
console.log('|---|---|---|---|---|---|');
for (const [name, s] of Object.entries(stats)) {
  const cpu = median(s.getterCpu) + median(s.senderCpu);
  console.log(`| ${name} | ${mbps(SIZE, median(s.wall)).toFixed(0)} | ${s.transfer.length ? mbps(SIZE, median(s.transfer)).toFixed(0) : '-'} | ${median(s.getterCpu).toFixed(2)} | ${median(s.senderCpu).toFixed(2)} | ${(SIZE / 1e6 / cpu).toFixed(0)} |`);
}
const wt = stats['plain webtorrent 2.8.5'];
for (const name of swarmB ? ['swarm', 'swarm (B)'] : ['swarm']) {
  const s = stats[name];
  console.log(`${name} / plain webtorrent: ${(median(wt.wall) / median(s.wall)).toFixed(2)}x wall (start to done), ${(median(wt.transfer) / median(s.transfer)).toFixed(2)}x (metadata to done), ${((median(wt.getterCpu) + median(wt.senderCpu)) / (median(s.getterCpu) + median(s.senderCpu))).toFixed(2)}x CPU efficiency`);
}
