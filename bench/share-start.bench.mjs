// Share start: wall time from spawning `swarm share --json --port 0` to its `ready` event for
// a 1 GiB share (SHARE_START_MIB), cold (piece-hash cache empty: every byte is read and
// hashed) and cached (restart of the unchanged share), median of SHARE_START_RUNS. For
// reference: webtorrent's own client.seed() on the same file (create-torrent hashing, what
// `swarm share` did before it hashed pieces itself), and the same share as 1,024 files.
// The files are in the page cache in every row (written just before, read again each run).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, MiB, makeUsers, median, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';

const RUNS = Number(process.env.SHARE_START_RUNS ?? 3);
const SIZE_MIB = Number(process.env.SHARE_START_MIB ?? 1024);
const { users: [alice], root: homes } = await makeUsers(['alice', 'bob']);
const env = { ...process.env, SWARM_HOME: alice.home };
const dir = tempDir();
const single = randomFile(join(dir, 'one.bin'), SIZE_MIB * MiB);
const folder = join(dir, 'many');
mkdirSync(folder);
for (let i = 0; i < 1024; i++) randomFile(join(folder, `f${String(i).padStart(4, '0')}.bin`), (SIZE_MIB * MiB) / 1024);

/**
 * ms from spawn to `ready`, the process's CPU seconds (stopped right after ready, so this is
 * start-up plus shut-down: less at the mercy of other load than wall time), and whether
 * the hashes came from the cache.
 */
async function timeToReady(path) {
  const share = startChild([CLI, 'share', path, '--json', '--host', '127.0.0.1', '--port', '0'], { env, timed: true });
  const ready = await share.waitFor((e) => e.event === 'ready');
  const hashing = share.events.filter((e) => e.event.event === 'hashing').map((e) => e.event);
  await share.kill('SIGINT');
  return { ms: ready.atMs, cpuSeconds: share.cpuSeconds, isCached: hashing.length > 0 && hashing.every((e) => e.cached) };
}

async function row(name, path, isCold) {
  const times = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    if (isCold) rmSync(join(alice.home, 'share-cache'), { recursive: true, force: true });
    else if (i === 0) await timeToReady(path); // fill the cache
    const { ms, cpuSeconds, isCached } = await timeToReady(path);
    if (isCached === isCold) throw new Error(`${name}: expected cached=${!isCold}`);
    times.push(ms);
    cpu.push(cpuSeconds);
  }
  console.log(`| ${name} | ${median(times).toFixed(0)} | ${times.map((t) => t.toFixed(0)).join(', ')} | ${median(cpu).toFixed(2)} |`);
}

/** What client.seed() costs: webtorrent (create-torrent) hashing the file itself. */
function webtorrentSeedMs(path) {
  const script = `
    const { default: WebTorrent } = await import('webtorrent');
    const client = new WebTorrent({ dht: false, tracker: false, lsd: false, utp: false, natUpnp: false, natPmp: false, webSeeds: false });
    const started = performance.now();
    client.seed(${JSON.stringify(path)}, { announce: [], private: true, pieceLength: 1024 * 1024 }, () => {
      console.log(performance.now() - started);
      client.destroy(() => process.exit(0));
    });`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return Number(result.stdout.trim());
}

function idMs() {
  const started = performance.now();
  spawnSync(process.execPath, [CLI, 'id'], { env });
  return performance.now() - started;
}

console.log(`${SIZE_MIB} MiB; median of ${RUNS} runs; ms from spawn to the ready event`);
console.log('| share | median ms to ready | runs | CPU s (start + stop) |');
console.log('|---|---|---|---|');
await row(`one ${SIZE_MIB} MiB file, cold (no cached hashes)`, single, true);
await row(`one ${SIZE_MIB} MiB file, cached (restart, unchanged)`, single, false);
await row(`1,024 files of ${SIZE_MIB / 1024} MiB, cold`, folder, true);
await row(`1,024 files of ${SIZE_MIB / 1024} MiB, cached`, folder, false);
const seeds = Array.from({ length: RUNS }, () => webtorrentSeedMs(single));
console.log(`| reference: webtorrent client.seed() hashing the ${SIZE_MIB} MiB file in-process (the old way, hashing only) | ${median(seeds).toFixed(0)} | ${seeds.map((t) => t.toFixed(0)).join(', ')} | - |`);
console.log(`for scale: \`swarm id\` ${median(Array.from({ length: RUNS }, () => idMs())).toFixed(0)} ms`);
removeDir(dir);
removeDir(homes);
