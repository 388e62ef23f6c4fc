// Benchmark 3: peak memory (RSS) of `swarm get` for a 1 GiB file (goal: under 200 MiB),
// next to plain webtorrent's getter for the same file. SHARE_BENCH_MIB overrides the size.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROLES, MiB, makeUsers, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';

const SIZE = Number(process.env.SHARE_BENCH_MIB ?? 1024) * MiB;
const dir = tempDir();
const file = randomFile(join(dir, 'payload.bin'), SIZE);
const { users: [alice, bob], root } = await makeUsers(['alice', 'bob']);

const sharer = startChild([CLI, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: { ...process.env, SWARM_HOME: alice.home } });
const magnet = (await sharer.waitFor((e) => e.event === 'ready', 900_000)).event.magnet;
mkdirSync(join(dir, 'swarm'));
const getter = startChild([CLI, 'get', magnet, '-o', join(dir, 'swarm'), '--json'], { env: { ...process.env, SWARM_HOME: bob.home }, timed: true });
const done = await getter.waitFor((e) => e.event === 'done', 900_000);
await getter.exited;
await sharer.kill();
removeDir(join(dir, 'swarm'));

const seeder = startChild([ROLES, 'wt-seed', file]);
const wtMagnet = (await seeder.waitFor((e) => e.magnet, 900_000)).event.magnet;
mkdirSync(join(dir, 'wt'));
const wtGetter = startChild([ROLES, 'wt-get', wtMagnet, join(dir, 'wt')], { timed: true });
await wtGetter.waitFor((e) => e.done, 900_000);
await wtGetter.exited;
await seeder.kill('SIGKILL');
removeDir(dir);
removeDir(root);

console.log(`${SIZE / MiB} MiB file, loopback`);
console.log('| getter | peak RSS MiB | seconds |');
console.log('|---|---|---|');
console.log(`| swarm get | ${getter.maxRssMiB.toFixed(0)} | ${(done.atMs / 1000).toFixed(1)} |`);
console.log(`| plain webtorrent 2.8.5 | ${wtGetter.maxRssMiB.toFixed(0)} | - |`);
