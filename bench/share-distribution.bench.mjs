// Benchmark 2: distribution. One sharer and N getters (N = 4 and 8), separate processes,
// every node's upload capped at RATE; file F. Reports the time until every getter has the
// whole file (from starting them all at once) against the theoretical minimum
// max(F/u_s, N*F/(u_s + N*u)) and the client-server time N*F/u_s, and how many bytes
// each getter received from each peer; once with --no-super-seed, once super-seeding (default). Env: SHARE_BENCH_MIB (32), SHARE_BENCH_RATE_MIB (4),
// SHARE_BENCH_N (e.g. "4,8"), SHARE_BENCH_HOSTS=distinct (the sharer on 127.0.0.1, getter i
// on --host 127.0.0.(i+2): each node its own address, as on a LAN), SHARE_BENCH_MODES
// ("plain,super": which sharer modes to run).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, MiB, makeUsers, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';

const F = Number(process.env.SHARE_BENCH_MIB ?? 32) * MiB;
const RATE = Number(process.env.SHARE_BENCH_RATE_MIB ?? 4) * MiB;
const NS = (process.env.SHARE_BENCH_N ?? '4,8').split(',').map(Number);
const IS_DISTINCT_HOSTS = process.env.SHARE_BENCH_HOSTS === 'distinct';
const MODES = (process.env.SHARE_BENCH_MODES ?? 'plain,super').split(',');
const hostOf = (i) => (IS_DISTINCT_HOSTS ? `127.0.0.${i + 2}` : '127.0.0.1');

async function run(n, isSuperSeed) {
  const dir = tempDir();
  const file = randomFile(join(dir, 'payload.bin'), F);
  const { users, root } = await makeUsers(['sharer', ...Array.from({ length: n }, (_, i) => `g${i + 1}`)]);
  const [sharerUser, ...getterUsers] = users;
  const envOf = (user) => ({ ...process.env, SWARM_HOME: user.home });
  const rate = `${RATE / MiB}M`;
  const sharer = startChild([CLI, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json', '--upload-limit', rate, ...(isSuperSeed ? [] : ['--no-super-seed'])], { env: envOf(sharerUser), timed: true });
  const magnet = (await sharer.waitFor((e) => e.event === 'ready')).event.magnet;
  const started = performance.now();
  const getters = getterUsers.map((user, i) => {
    mkdirSync(join(dir, user.name));
    return startChild([CLI, 'get', magnet, '-o', join(dir, user.name), '--host', hostOf(i), '--json', '--seed', '--upload-limit', rate], { env: envOf(user), timed: true });
  });
  const dones = await Promise.all(getters.map((g) => g.waitFor((e) => e.event === 'done', 300_000)));
  const seconds = (performance.now() - started) / 1000;
  // The sharer's upload per second (from its status events), to see whether its cap was used.
  const statuses = sharer.events.filter((e) => e.event.event === 'status' && e.atMs >= started - sharer.startedAt);
  const perSecond = statuses.slice(1).map((s, i) => ((s.event.uploaded - statuses[i].event.uploaded) / MiB).toFixed(1));
  // What the sharer sent, from the getters' own counts of bytes received from it.
  const fromSharer = dones.reduce((sum, done) => sum + (done.event.peers.find((p) => p.key === sharerUser.key)?.received ?? 0), 0);
  await Promise.all(getters.map((g) => g.kill()));
  await sharer.kill();
  const getterCpu = getters.map((g) => g.cpuSeconds).sort((a, b) => a - b);
  removeDir(dir);
  removeDir(root);

  const minimum = Math.max(F / RATE, (n * F) / (RATE + n * RATE));
  const clientServer = (n * F) / RATE;
  const nameOf = new Map(users.map((u) => [u.key, u.name]));
  console.log(`\nN = ${n}, F = ${F / MiB} MiB, every upload capped at ${RATE / MiB} MiB/s, sharer ${isSuperSeed ? 'super-seeding (default)' : '--no-super-seed'}`);
  console.log(`all done after ${seconds.toFixed(1)} s (first ${(Math.min(...dones.map((d) => d.atMs)) / 1000).toFixed(1)} s); minimum ${minimum.toFixed(1)} s -> ${(seconds / minimum).toFixed(2)}x; client-server ${clientServer.toFixed(1)} s`);
  console.log(`sharer upload MiB/s, second by second: ${perSecond.join(' ')}`);
  console.log(`getters ${IS_DISTINCT_HOSTS ? 'each on its own 127.0.0.N' : 'all on 127.0.0.1'}; received from the sharer: ${(fromSharer / MiB).toFixed(1)} MiB = ${(fromSharer / F).toFixed(2)} copies of F`);
  console.log(`CPU seconds: sharer ${sharer.cpuSeconds.toFixed(1)} (includes hashing the file), getters median ${getterCpu[Math.floor(n / 2)].toFixed(1)}, max ${getterCpu[n - 1].toFixed(1)}`);
  const columns = users.map((u) => u.name);
  console.log(`| received by \\ from (MiB) | ${columns.join(' | ')} |`);
  console.log(`|---|${columns.map(() => '---').join('|')}|`);
  dones.forEach((done, i) => {
    const peers = new Map(done.event.peers.map((p) => [nameOf.get(p.key), p.received]));
    console.log(`| ${getterUsers[i].name} (${(done.atMs / 1000).toFixed(1)} s) | ${columns.map((c) => (peers.has(c) ? (peers.get(c) / MiB).toFixed(1) : '-')).join(' | ')} |`);
  });
  return { n, seconds, minimum };
}

// Side by side: the sharer without initial seeding (--no-super-seed), then with it (the default).
for (const n of NS) {
  if (MODES.includes('plain')) await run(n, false);
  if (MODES.includes('super')) await run(n, true);
}
