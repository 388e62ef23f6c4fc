// Get start-up (issue 10): from spawning `swarm get` to its first block, for a 1 MiB share
// on loopback (4 pieces of 256 KiB, so `done` comes one round of requests after the first
// block). Per run: ms from spawn to the link (`peer-connected`), to the metadata, to done,
// and the getter's CPU seconds for the whole run (start-up is most of it: the steadier
// number on a shared machine). For scale: `node -e 0`, `swarm --version` and `swarm id`.
// Env: SHARE_GET_START_RUNS (default 7); SHARE_BENCH_CLI_B=<another build's cli.js> runs
// the same rows with that build, alternating, to compare before/after in one run.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, MiB, makeUsers, median, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';

const RUNS = Number(process.env.SHARE_GET_START_RUNS ?? 7);
const builds = [{ name: 'this build', cli: CLI }];
if (process.env.SHARE_BENCH_CLI_B) builds.push({ name: 'build B', cli: process.env.SHARE_BENCH_CLI_B });
console.log(`get start-up, 1 MiB over loopback, ${RUNS} runs per build, load average ${loadAverage()} at the start`);

const { users: [alice, bob], root } = await makeUsers(['alice', 'bob']);
const dir = tempDir();
const file = randomFile(join(dir, 'one.bin'), MiB);

/** Median CPU ms (user + system) of a command, from /usr/bin/time. */
function commandCpuMs(argv, env = process.env) {
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const result = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', ...argv], { env, encoding: 'utf8' });
    const match = /CPU ([\d.]+) ([\d.]+)/.exec(result.stderr);
    cpu.push((Number(match[1]) + Number(match[2])) * 1000);
  }
  return median(cpu);
}

for (const build of builds) {
  build.sharer = startChild([build.cli, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: { ...process.env, SWARM_HOME: alice.home } });
  build.magnet = (await build.sharer.waitFor((e) => e.event === 'ready')).event.magnet;
  build.runs = [];
}
for (let run = 0; run < RUNS; run++) {
  for (let i = 0; i < builds.length; i++) {
    const build = builds[(i + run) % builds.length];
    const out = join(dir, `out-${run}-${i}`);
    mkdirSync(out);
    const getter = startChild([build.cli, 'get', build.magnet, '-o', out, '--json'], { env: { ...process.env, SWARM_HOME: bob.home }, timed: true });
    const linked = await getter.waitFor((e) => e.event === 'peer-connected');
    const metadata = await getter.waitFor((e) => e.event === 'metadata');
    const done = await getter.waitFor((e) => e.event === 'done');
    await getter.exited;
    build.runs.push({ linkedMs: linked.atMs, metadataMs: metadata.atMs, doneMs: done.atMs, cpuMs: getter.cpuSeconds * 1000 });
    removeDir(out);
  }
}
for (const build of builds) await build.sharer.kill();

const nodeMs = commandCpuMs([process.execPath, '-e', '0']);
console.log(`\nload average ${loadAverage()} at the end; medians of ${RUNS}`);
console.log('| build | spawn -> link ms | -> metadata ms | -> done ms | getter CPU ms (whole run) | `swarm --version` CPU ms | `swarm id` CPU ms |');
console.log('|---|---|---|---|---|---|---|');
for (const build of builds) {
  const m = (key) => median(build.runs.map((r) => r[key])).toFixed(0);
  const versionMs = commandCpuMs([process.execPath, build.cli, '--version']);
  const idMs = commandCpuMs([process.execPath, build.cli, 'id'], { ...process.env, SWARM_HOME: bob.home });
  console.log(`| ${build.name} | ${m('linkedMs')} | ${m('metadataMs')} | ${m('doneMs')} | ${m('cpuMs')} | ${versionMs.toFixed(0)} | ${idMs.toFixed(0)} |`);
}
console.log(`| bare \`node -e 0\` | | | | | ${nodeMs.toFixed(0)} | |`);
removeDir(dir);
removeDir(root);
