// CPU per GiB of a transfer on loopback (issue 10): getter and sender, swarm vs plain
// webtorrent 2.8.5 on the same file, plus the AEAD alone (the floor swarm pays on top).
// CPU is read from /proc at the getter's `metadata` and `done` (user + system of both ends),
// so process start-up and the sharer's hashing are left out; they are given apart. CPU time
// is far steadier than wall time on a shared machine, but not immune to it (cache and memory
// bandwidth contention): rounds alternate the engines and medians are reported.
// Env: SHARE_BENCH_MIB (default 256), SHARE_BENCH_ROUNDS (default 3),
//      SHARE_BENCH_CLI_B=<path to another build's cli.js>: a third engine, "swarm (B)",
//      to A/B two builds in one run (e.g. main's dist copied aside).
import { mkdirSync, readFileSync } from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CLI, ROLES, MiB, cpuSecondsOf, makeUsers, median, peakRssMiB, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';

const SIZE = Number(process.env.SHARE_BENCH_MIB ?? 256) * MiB;
const ROUNDS = Number(process.env.SHARE_BENCH_ROUNDS ?? 3);
const CLI_B = process.env.SHARE_BENCH_CLI_B;
const GiB = SIZE / (1024 * MiB);
console.log(`${SIZE / MiB} MiB, loopback, ${ROUNDS} rounds, load average ${loadAverage()} at the start`);

/** ChaCha20-Poly1305 alone over `bytes`, in Noise-sized frames, one cipher object per frame: CPU s. */
function aeadFloor(bytes) {
  const frame = randomBytes(65_519);
  const key = randomBytes(32);
  const nonce = Buffer.alloc(12);
  const sealed = [];
  const t0 = process.cpuUsage();
  for (let done = 0, n = 0; done < bytes; done += frame.length, n++) {
    nonce.writeUInt32LE(n, 4);
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    const body = cipher.update(frame);
    cipher.final();
    if (n < 4) sealed.push([body, cipher.getAuthTag()]);
  }
  const t1 = process.cpuUsage(t0);
  const t2 = process.cpuUsage();
  for (let done = 0, n = 0; done < bytes; done += frame.length, n++) {
    nonce.writeUInt32LE(n % 4, 4);
    const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    decipher.setAuthTag(sealed[n % 4][1]);
    decipher.update(sealed[n % 4][0]);
    decipher.final();
  }
  const t3 = process.cpuUsage(t2);
  return { sealSeconds: (t1.user + t1.system) / 1e6, openSeconds: (t3.user + t3.system) / 1e6 };
}

const dir = tempDir();
const file = randomFile(join(dir, 'payload.bin'), SIZE);
const { users: [alice, bob], root } = await makeUsers(['alice', 'bob']);
const envOf = (user) => ({ ...process.env, SWARM_HOME: user.home });

/** The node process of a timed child (its /usr/bin/time's only child). */
function nodePidOf(child) {
  try {
    return Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]) || child.pid;
  } catch {
    return child.pid;
  }
}

async function startSwarmSharer(cli) {
  const sharer = startChild([cli, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: envOf(alice) });
  return { sender: sharer, magnet: (await sharer.waitFor((e) => e.event === 'ready', 900_000)).event.magnet };
}
async function startWtSeeder() {
  const seeder = startChild([ROLES, 'wt-seed', file]);
  return { sender: seeder, magnet: (await seeder.waitFor((e) => e.magnet, 900_000)).event.magnet };
}

const engines = [
  { name: 'plain webtorrent 2.8.5', start: startWtSeeder, args: (m, out) => [ROLES, 'wt-get', m, out], env: process.env, isDone: (e) => e.done, isMeta: (e) => e.metadata },
  { name: 'swarm', start: () => startSwarmSharer(CLI), args: (m, out) => [CLI, 'get', m, '-o', out, '--json'], env: envOf(bob), isDone: (e) => e.event === 'done', isMeta: (e) => e.event === 'metadata' },
];
if (CLI_B) engines.push({ name: 'swarm (B)', start: () => startSwarmSharer(CLI_B), args: (m, out) => [CLI_B, 'get', m, '-o', out, '--json'], env: envOf(bob), isDone: (e) => e.event === 'done', isMeta: (e) => e.event === 'metadata' });
for (const engine of engines) {
  Object.assign(engine, await engine.start());
  engine.stats = { getterTransfer: [], senderTransfer: [], getterTotal: [], getterRss: [], transferMs: [] };
}

async function runGetter(engine, out) {
  const getter = startChild(engine.args(engine.magnet, out), { env: engine.env, timed: true });
  await getter.waitFor(engine.isMeta, 900_000);
  const pid = nodePidOf(getter.child);
  const getterAtMeta = cpuSecondsOf(pid);
  const senderAtMeta = cpuSecondsOf(engine.sender.child.pid);
  const meta = performance.now();
  await getter.waitFor(engine.isDone, 900_000);
  const transferMs = performance.now() - meta;
  const getterCpu = cpuSecondsOf(pid) - getterAtMeta;
  const senderCpu = cpuSecondsOf(engine.sender.child.pid) - senderAtMeta;
  await getter.exited;
  const s = engine.stats;
  s.getterTransfer.push(getterCpu);
  s.senderTransfer.push(senderCpu);
  s.getterTotal.push(getter.cpuSeconds);
  s.getterRss.push(getter.maxRssMiB);
  s.transferMs.push(transferMs);
}

for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < engines.length; i++) {
    const engine = engines[(i + round) % engines.length];
    const out = join(dir, `out-${round}-${i}`);
    mkdirSync(out);
    await runGetter(engine, out);
    removeDir(out);
  }
  console.log(`round ${round + 1} done (load average ${loadAverage()})`);
}
for (const engine of engines) {
  engine.senderRss = peakRssMiB(engine.sender.child.pid);
  await engine.sender.kill('SIGKILL');
}
const floor = aeadFloor(SIZE);
removeDir(dir);
removeDir(root);

console.log(`\nload average ${loadAverage()} at the end; medians of ${ROUNDS}; CPU s per GiB from the getter's metadata to done`);
console.log('| | getter CPU s/GiB | sender CPU s/GiB | both | getter CPU s, whole process | getter peak RSS MiB | sender peak RSS MiB (incl. hashing) | transfer s (wall, load-dependent) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const { name, stats: s, senderRss } of engines) {
  const getter = median(s.getterTransfer) / GiB;
  const sender = median(s.senderTransfer) / GiB;
  console.log(`| ${name} | ${getter.toFixed(2)} | ${sender.toFixed(2)} | ${(getter + sender).toFixed(2)} | ${median(s.getterTotal).toFixed(2)} | ${median(s.getterRss).toFixed(0)} | ${senderRss.toFixed(0)} | ${(median(s.transferMs) / 1000).toFixed(1)} |`);
}
console.log(`| AEAD alone (chacha20-poly1305, 64 KiB frames, one process) | open ${(floor.openSeconds / GiB).toFixed(2)} | seal ${(floor.sealSeconds / GiB).toFixed(2)} | ${((floor.openSeconds + floor.sealSeconds) / GiB).toFixed(2)} | | | | |`);
console.log('\nRaw per-round CPU s (getter, sender):');
for (const { name, stats: s } of engines) console.log(`${name}: ${s.getterTransfer.map((g, i) => `${g.toFixed(2)}/${s.senderTransfer[i].toFixed(2)}`).join(', ')}`);
