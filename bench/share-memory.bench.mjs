// Benchmark 3: peak memory (RSS) of `swarm get` for a 1 GiB file (goal: under 200 MiB),
// next to plain webtorrent's getter for the same file, and CPU seconds per GiB of both ends
// (issue 10; the sender's CPU counted from the getter's start). SHARE_BENCH_MIB overrides the size.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROLES, MiB, cpuSecondsOf, makeUsers, peakRssMiB, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';

const SIZE = Number(process.env.SHARE_BENCH_MIB ?? 1024) * MiB;
const dir = tempDir();
const file = randomFile(join(dir, 'payload.bin'), SIZE);
const { users: [alice, bob], root } = await makeUsers(['alice', 'bob']);

const sharer = startChild([CLI, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: { ...process.env, SWARM_HOME: alice.home } });
const magnet = (await sharer.waitFor((e) => e.event === 'ready', 900_000)).event.magnet;
mkdirSync(join(dir, 'swarm'));
const sharerCpuBefore = cpuSecondsOf(sharer.child.pid);
const getter = startChild([CLI, 'get', magnet, '-o', join(dir, 'swarm'), '--json'], { env: { ...process.env, SWARM_HOME: bob.home }, timed: true });
const done = await getter.waitFor((e) => e.event === 'done', 900_000);
await getter.exited;
const sharerCpu = cpuSecondsOf(sharer.child.pid) - sharerCpuBefore;
const sharerRss = peakRssMiB(sharer.child.pid);
await sharer.kill();
removeDir(join(dir, 'swarm'));

const seeder = startChild([ROLES, 'wt-seed', file]);
const wtMagnet = (await seeder.waitFor((e) => e.magnet, 900_000)).event.magnet;
mkdirSync(join(dir, 'wt'));
const seederCpuBefore = cpuSecondsOf(seeder.child.pid);
const wtGetter = startChild([ROLES, 'wt-get', wtMagnet, join(dir, 'wt')], { timed: true });
await wtGetter.waitFor((e) => e.done, 900_000);
await wtGetter.exited;
const seederCpu = cpuSecondsOf(seeder.child.pid) - seederCpuBefore;
const seederRss = peakRssMiB(seeder.child.pid);
await seeder.kill('SIGKILL');
removeDir(dir);
removeDir(root);

console.log(`${SIZE / MiB} MiB file, loopback`);
const GiB = SIZE / (1024 * MiB);
console.log('| | getter peak RSS MiB | sender peak RSS MiB (whole life, incl. hashing) | getter CPU s per GiB | sender CPU s per GiB | getter seconds |');
console.log('|---|---|---|---|---|---|');
console.log(`| swarm | ${getter.maxRssMiB.toFixed(0)} | ${sharerRss.toFixed(0)} | ${(getter.cpuSeconds / GiB).toFixed(1)} | ${(sharerCpu / GiB).toFixed(1)} | ${(done.atMs / 1000).toFixed(1)} |`);
console.log(`| plain webtorrent 2.8.5 | ${wtGetter.maxRssMiB.toFixed(0)} | ${seederRss.toFixed(0)} | ${(wtGetter.cpuSeconds / GiB).toFixed(1)} | ${(seederCpu / GiB).toFixed(1)} | - |`);
