// Get and share start-up (issue 10): from spawning `swarm get` to its first block, for a 1 MiB
// share on loopback (4 pieces of 256 KiB, so `done` comes one round of requests after the first
// block), and from spawning `swarm share` to its `ready` line. Per get run: ms from spawn to the
// link (`peer-connected`), to the metadata (the first block is requested right after it), to
// done; the getter's CPU ms (user + system, /proc) at the link and at the metadata, and for the
// whole run. Per share run: CPU ms and ms at `ready`. CPU is the steadier number on a shared
// machine (ticks of 10 ms). For scale: `node -e 0`, `swarm --version` and `swarm id`.
// NODE_EXTRA_CA_CERTS is unset for every child: with it (as in this sandbox) every node
// process parses the CA bundle at start (~60 ms CPU), which is not swarm's cost.
// Env: SHARE_GET_START_RUNS (default 7); SHARE_BENCH_CLI_B=<another build's cli.js> runs
// the same rows with that build, alternating, to compare before/after in one run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, MiB, cpuSecondsOf, makeUsers, median, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';

const RUNS = Number(process.env.SHARE_GET_START_RUNS ?? 7);
const builds = [{ name: 'this build', cli: CLI }];
if (process.env.SHARE_BENCH_CLI_B) builds.push({ name: 'build B', cli: process.env.SHARE_BENCH_CLI_B });
const baseEnv = { ...process.env };
delete baseEnv.NODE_EXTRA_CA_CERTS;
console.log(`get and share start-up, 1 MiB over loopback, ${RUNS} runs per build, load average ${loadAverage()} at the start`);

const { users: [alice, bob], root } = await makeUsers(['alice', 'bob']);
const dir = tempDir();
const file = randomFile(join(dir, 'one.bin'), MiB);

/** Median CPU ms (user + system) of a command, from /usr/bin/time. */
function commandCpuMs(argv, env = baseEnv) {
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const result = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', ...argv], { env, encoding: 'utf8' });
    const match = /CPU ([\d.]+) ([\d.]+)/.exec(result.stderr);
    cpu.push((Number(match[1]) + Number(match[2])) * 1000);
  }
  return median(cpu);
}

/** The node process of a timed child (its /usr/bin/time's only child). */
function nodePidOf(timedChild) {
  const pid = timedChild.child.pid;
  return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]);
}

/** CPU ms so far of a timed child's node, read as soon as its event line arrives. */
async function cpuMsAt(timedChild, pred) {
  const event = await timedChild.waitFor(pred);
  return { atMs: event.atMs, cpuMs: cpuSecondsOf(nodePidOf(timedChild)) * 1000, event: event.event };
}

for (const build of builds) {
  build.sharer = startChild([build.cli, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: { ...baseEnv, SWARM_HOME: alice.home } });
  build.magnet = (await build.sharer.waitFor((e) => e.event === 'ready')).event.magnet;
  build.runs = [];
  build.shareRuns = [];
}
for (let run = 0; run < RUNS; run++) {
  for (let i = 0; i < builds.length; i++) {
    const build = builds[(i + run) % builds.length];
    const out = join(dir, `out-${run}-${i}`);
    mkdirSync(out);
    const getter = startChild([build.cli, 'get', build.magnet, '-o', out, '--json'], { env: { ...baseEnv, SWARM_HOME: bob.home }, timed: true });
    const linked = await cpuMsAt(getter, (e) => e.event === 'peer-connected');
    const metadata = await cpuMsAt(getter, (e) => e.event === 'metadata');
    const done = await getter.waitFor((e) => e.event === 'done');
    await getter.exited;
    build.runs.push({ linkedMs: linked.atMs, metadataMs: metadata.atMs, doneMs: done.atMs, linkCpuMs: linked.cpuMs, metadataCpuMs: metadata.cpuMs, cpuMs: getter.cpuSeconds * 1000 });
    removeDir(out);
    // A second sharer of the same file (its piece hashes cached by the first): start to `ready`.
    const sharer = startChild([build.cli, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: { ...baseEnv, SWARM_HOME: alice.home }, timed: true });
    const ready = await cpuMsAt(sharer, (e) => e.event === 'ready');
    await sharer.kill('SIGINT');
    build.shareRuns.push({ readyMs: ready.atMs, readyCpuMs: ready.cpuMs });
  }
}
for (const build of builds) await build.sharer.kill();

const nodeMs = commandCpuMs([process.execPath, '-e', '0']);
console.log(`\nload average ${loadAverage()} at the end; medians of ${RUNS}`);
console.log('| build | get: spawn -> link ms | -> metadata ms | -> done ms | get CPU ms at link | at metadata | whole run | share: spawn -> ready ms | CPU ms at ready | `swarm --version` CPU ms | `swarm id` CPU ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const build of builds) {
  const m = (runs, key) => median(runs.map((r) => r[key])).toFixed(0);
  const versionMs = commandCpuMs([process.execPath, build.cli, '--version']);
  const idMs = commandCpuMs([process.execPath, build.cli, 'id'], { ...baseEnv, SWARM_HOME: bob.home });
  const g = (key) => m(build.runs, key);
  const s = (key) => m(build.shareRuns, key);
  console.log(`| ${build.name} | ${g('linkedMs')} | ${g('metadataMs')} | ${g('doneMs')} | ${g('linkCpuMs')} | ${g('metadataCpuMs')} | ${g('cpuMs')} | ${s('readyMs')} | ${s('readyCpuMs')} | ${versionMs.toFixed(0)} | ${idMs.toFixed(0)} |`);
}
console.log(`| bare \`node -e 0\` | | | | | | | | | ${nodeMs.toFixed(0)} | |`);
removeDir(dir);
removeDir(root);
