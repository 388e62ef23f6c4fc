// Distribution over capped uplinks (issue 10): one sharer and N getters, each host in its own
// network namespace (bench/netns-hosts.mjs) with its upload capped by tbf; getters serve
// each other. Side by side for each N: swarm (CLI processes, `get --seed`) and aria2 with a
// local bittorrent-tracker (announce interval 2 s; aria2 also has PEX). Time = from starting
// all getters until every one has the whole file, against the theoretical minimum
// max(F/u, N*F/(u + N*u)). Bars: swarm <= aria2 and <= 1.3x the minimum.
// Needs root, iproute2 and aria2c (`apt-get install -y aria2`).
// Env: SHARE_BENCH_MIB (16), SHARE_BENCH_UPLINK_MBIT (20), SHARE_BENCH_N ("4,6,8"),
// SHARE_BENCH_ENGINES ("swarm,aria2"; either alone to run one side), SHARE_BENCH_CLI_B (another
// build's dist/cli.js: run after swarm for each N, to compare two builds in one run),
// SHARE_BENCH_TIMELINE=1 (print what each host sent per ~0.5 s, read from the bridge's port
// counters, and when each getter connected to whom: where a run loses its time),
// SHARE_BENCH_FULL_MESH=1 (each getter listens on port 7000 and is given every other getter
// with --peer key@host:7000, so the getters meet at once instead of through the sharer's
// peer exchange: how much the mesh's forming costs).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage } from './load-average.mjs';
import { createCappedHosts } from './netns-hosts.mjs';
import { CLI, MiB, makeUsers, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';

const F = Number(process.env.SHARE_BENCH_MIB ?? 16) * MiB;
const UPLINK_MBIT = Number(process.env.SHARE_BENCH_UPLINK_MBIT ?? 20);
const NS = (process.env.SHARE_BENCH_N ?? '4,6,8').split(',').map(Number);
const ENGINES = (process.env.SHARE_BENCH_ENGINES ?? 'swarm,aria2').split(',');
const CLI_B = process.env.SHARE_BENCH_CLI_B;
const TIMELINE = process.env.SHARE_BENCH_TIMELINE === '1';
const u = (UPLINK_MBIT * 1e6) / 8; // bytes per second
const TRACKER = fileURLToPath(new URL('../node_modules/bittorrent-tracker/bin/cmd.js', import.meta.url));
const CREATE_TORRENT = fileURLToPath(new URL('../node_modules/create-torrent/bin/cmd.js', import.meta.url));

const minimumOf = (n) => Math.max(F / u, (n * F) / (u + n * u));
const doneTimes = (dones) => dones.map((d) => d.atMs / 1000);

async function runSwarm(n, { hosts, sentBytes }, dir, file, cli = CLI) {
  const { users, root } = await makeUsers(['sharer', ...Array.from({ length: n }, (_, i) => `g${i + 1}`)]);
  const [sharerUser, ...getterUsers] = users;
  // Like aria2's flags below: no DHT, local discovery or port mapping (bench/run.mjs sets the
  // same; a direct `node bench/...` run would otherwise bootstrap a DHT in every getter).
  const envOf = (user) => ({ ...process.env, SWARM_NO_DHT: '1', SWARM_NO_LAN: '1', SWARM_NO_NAT: '1', SWARM_HOME: user.home });
  const sharer = startChild([cli, 'share', file, '--host', hosts[0].address, '--port', '0', '--json'], { env: envOf(sharerUser), netns: hosts[0].ns, timed: true });
  const magnet = (await sharer.waitFor((e) => e.event === 'ready')).event.magnet;
  const started = performance.now();
  const timeline = TIMELINE ? sampleSent(sentBytes, started) : undefined;
  const getters = getterUsers.map((user, i) => {
    const out = join(dir, `swarm-${user.name}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(out);
    const mesh = process.env.SHARE_BENCH_FULL_MESH === '1' ? ['--port', '7000', ...getterUsers.flatMap((other, j) => (j === i ? [] : ['--peer', `${other.key}@${hosts[j + 1].address}:7000`]))] : [];
    return startChild([cli, 'get', magnet, '-o', out, '--host', hosts[i + 1].address, '--json', '--seed', ...mesh], { env: envOf(user), netns: hosts[i + 1].ns, timed: true });
  });
  const dones = await Promise.all(getters.map((g) => g.waitFor((e) => e.event === 'done', 300_000)));
  const seconds = (performance.now() - started) / 1000;
  timeline?.stop();
  await Promise.all(getters.map((g) => g.kill()));
  await sharer.kill();
  const nameOf = new Map(users.map((user) => [user.key, user.name]));
  const columns = users.map((user) => user.name);
  const table = [`| received by \\ from (MiB) | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---').join('|')}|`];
  dones.forEach((done, i) => {
    const peers = new Map(done.event.peers.map((p) => [nameOf.get(p.key), p.received]));
    table.push(`| ${getterUsers[i].name} (${(done.atMs / 1000).toFixed(1)} s) | ${columns.map((c) => (peers.has(c) ? (peers.get(c) / MiB).toFixed(1) : '-')).join(' | ')} |`);
  });
  removeDir(root);
  const sharerName = sharerUser.name;
  const sharerSent = dones.reduce((sum, done) => sum + (done.event.peers.find((p) => nameOf.get(p.key) === sharerName)?.received ?? 0), 0);
  const cpu = getters.map((g) => g.cpuSeconds).sort((a, b) => a - b);
  // When each getter printed its first line (process and CLI start, before any dial): on a
  // loaded machine this alone can be most of the time.
  table.push(`first output of each getter at ${getters.map((g) => (g.events[0].atMs / 1000).toFixed(1)).join(', ')} s`);
  if (timeline) table.push(...timeline.lines(), ...connectionLines(getters, users.slice(1), nameOf));
  return { seconds, doneTimes: doneTimes(dones), table, sharerSent, getterCpuMedian: cpu[Math.floor(n / 2)], sharerCpu: sharer.cpuSeconds };
}

/** Samples each host's sent bytes every 500 ms; lines() renders MB/s per interval (sharer first). */
function sampleSent(sentBytes, started) {
  const samples = [];
  const take = () => samples.push({ atMs: performance.now() - started, bytes: sentBytes() });
  take();
  const timer = setInterval(take, 500);
  return {
    stop() {
      clearInterval(timer);
      take();
    },
    lines() {
      const out = ['sent MB/s per interval (s since the getters started: sharer | getters):'];
      for (let i = 1; i < samples.length; i++) {
        const [a, b] = [samples[i - 1], samples[i]];
        const rates = b.bytes.map((bytes, h) => (bytes - a.bytes[h]) / (b.atMs - a.atMs) / 1000);
        out.push(`${(b.atMs / 1000).toFixed(1).padStart(5)}: ${rates[0].toFixed(2)} | ${rates.slice(1).map((r) => r.toFixed(1)).join(' ')}`);
      }
      return out;
    },
  };
}

/** When each getter's links came up (s since its start), by peer name. */
function connectionLines(getters, users, nameOf) {
  return getters.map((g, i) => `${users[i].name} connected: ${g.events.filter((e) => e.event.event === 'peer-connected').map((e) => `${nameOf.get(e.event.key) ?? '?'}@${(e.atMs / 1000).toFixed(1)}`).join(' ')}`);
}

const aria2Args = (dir) => [
  `--dir=${dir}`, '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=true',
  '--seed-ratio=0.0', '--file-allocation=none', '--summary-interval=0', '--console-log-level=notice',
  '--show-console-readout=false', '--listen-port=6881-6999',
];
const aria2Verified = (line) => (/Verification finished successfully/.test(line) ? { verified: true } : undefined);

async function runAria2(n, hosts, dir, file) {
  const tracker = startChild([TRACKER, '--http', '--port', '8000', '--http-hostname', hosts[0].address, '--interval', '2000', '--quiet'], { netns: hosts[0].ns, parse: () => undefined });
  await waitForListening(hosts[0], 8000);
  const torrentPath = join(dir, 'payload.torrent');
  execFileSync(process.execPath, [CREATE_TORRENT, file, '--announce', `http://${hosts[0].address}:8000/announce`, '-o', torrentPath]);
  const seeder = startChild([...aria2Args(dir), '--check-integrity=true', torrentPath], { command: 'aria2c', netns: hosts[0].ns, timed: true, parse: aria2Verified });
  await seeder.waitFor((e) => e.verified, 120_000); // seeding from here
  // aria2 says "Download complete" only when seeding ends; its completion hook marks the moment.
  const hook = join(dir, 'on-complete.sh');
  writeFileSync(hook, '#!/bin/sh\ntouch "$3.done"\n', { mode: 0o755 });
  const started = performance.now();
  const startedEpochMs = Date.now();
  const getters = Array.from({ length: n }, (_, i) => {
    const out = join(dir, `aria2-g${i + 1}`);
    mkdirSync(out);
    return startChild([...aria2Args(out), `--on-bt-download-complete=${hook}`, torrentPath], { command: 'aria2c', netns: hosts[i + 1].ns, timed: true, parse: () => undefined });
  });
  const markers = Array.from({ length: n }, (_, i) => join(dir, `aria2-g${i + 1}`, `${basename(file)}.done`));
  const deadline = Date.now() + 300_000;
  while (!markers.every((path) => existsSync(path))) {
    if (Date.now() > deadline) throw new Error('aria2 getters did not finish');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const times = markers.map((path) => (statSync(path).mtimeMs - startedEpochMs) / 1000);
  for (const child of [...getters, seeder]) await child.kill('SIGKILL');
  await tracker.kill('SIGKILL');
  const cpu = getters.map((g) => g.cpuSeconds).sort((a, b) => a - b);
  return { seconds: Math.max(...times), doneTimes: times, getterCpuMedian: cpu[Math.floor(n / 2)], sharerCpu: seeder.cpuSeconds };
}

async function waitForListening(host, port) {
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('ip', ['netns', 'exec', host.ns, 'bash', '-c', `exec 3<>/dev/tcp/${host.address}/${port}`], { stdio: 'ignore' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('tracker did not start');
}

console.log(`start: ${new Date().toISOString()}, load average ${loadAverage()}; F = ${F / MiB} MiB, every uplink ${UPLINK_MBIT} Mbit/s (tbf)`);
const rows = [];
let destroyHosts = () => {};
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { destroyHosts(); process.exit(1); });
for (const n of NS) {
  const capped = createCappedHosts(n + 1, { uplinkMbit: UPLINK_MBIT });
  const { hosts, destroy } = capped;
  destroyHosts = destroy;
  const dir = tempDir();
  try {
    const file = randomFile(join(dir, 'payload.bin'), F);
    const minimum = minimumOf(n);
    const swarmRuns = [];
    const sides = [...(ENGINES.includes('swarm') ? [['swarm', CLI]] : []), ...(CLI_B ? [['swarm B', CLI_B]] : [])];
    for (const [label, cli] of sides) {
      const run = await runSwarm(n, capped, dir, file, cli);
      swarmRuns.push([label, run]);
      console.log(`\nN = ${n}: ${label} ${run.seconds.toFixed(1)} s (${(run.seconds / minimum).toFixed(2)}x), minimum ${minimum.toFixed(1)} s; load average ${loadAverage()}`);
      console.log(`${label} getters done at ${run.doneTimes.map((t) => t.toFixed(1)).join(', ')} s; sharer sent ${(run.sharerSent / MiB).toFixed(1)} MiB`);
      console.log(`CPU s: ${label} getter median ${run.getterCpuMedian.toFixed(2)}, sharer ${run.sharerCpu.toFixed(2)}`);
      console.log(run.table.join('\n'));
    }
    const aria2 = ENGINES.includes('aria2') ? await runAria2(n, hosts, dir, file) : undefined;
    if (aria2) {
      console.log(`\nN = ${n}: aria2 ${aria2.seconds.toFixed(1)} s (${(aria2.seconds / minimum).toFixed(2)}x); load average ${loadAverage()}`);
      console.log(`aria2 getters done at ${aria2.doneTimes.map((t) => t.toFixed(1)).join(', ')} s; CPU s: getter median ${aria2.getterCpuMedian.toFixed(2)}, seeder ${aria2.sharerCpu.toFixed(2)}`);
    }
    const cell = (r) => (r ? `${r.seconds.toFixed(1)} (${(r.seconds / minimum).toFixed(2)}x)` : '-');
    for (const [label, run] of swarmRuns) {
      rows.push(`| ${n} | ${minimum.toFixed(1)} | ${label} | ${cell(run)} | ${cell(aria2)} | ${aria2 ? (run.seconds / aria2.seconds).toFixed(2) : '-'} | ${(run.sharerSent / MiB).toFixed(1)} |`);
    }
    if (swarmRuns.length === 0) rows.push(`| ${n} | ${minimum.toFixed(1)} | - | - | ${cell(aria2)} | - | - |`);
  } finally {
    removeDir(dir);
    destroy();
  }
}
console.log(`\nend: load average ${loadAverage()}`);
console.log('| N | minimum s | build | swarm s | aria2 s | swarm / aria2 | sharer sent MiB |');
console.log('|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
