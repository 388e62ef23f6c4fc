// Relays (issue 12): the same get directly and through `swarm relay`, on loopback
// (127.0.0.2 sharer, 127.0.0.3 getter, 127.0.0.9 relay). Per mode, median of RUNS:
//   throughput: file bytes / (get spawned -> done), MB/s
//   time to first byte: get spawned -> its `metadata` event (the first bytes from the sharer)
//   CPU: getter and sharer CPU seconds per GiB; for the relay, the relay process's CPU per GiB
// Relayed mode names a closed port as x.pe, so every byte goes through the relay (the direct
// dial fails at once; the relay is dialled then, not after the 1.5 s head start).
//   RELAY_BENCH_MIB (default 256), RELAY_BENCH_RUNS (default 3)
import { join } from 'node:path';
import { CLI, MiB, cpuSecondsOf, fileSha256, makeUsers, mbps, median, randomFile, startChild, tempDir, removeDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';

const SIZE_MIB = Number(process.env.RELAY_BENCH_MIB ?? 256);
const RUNS = Number(process.env.RELAY_BENCH_RUNS ?? 3);
const GiB = 1024 ** 3;

const { users: [alice, bob, rick] } = await makeUsers(['alice', 'bob', 'rick']);
const dir = tempDir();
const source = randomFile(join(dir, 'big.bin'), SIZE_MIB * MiB);
const sourceHash = fileSha256(source);
const env = (user) => ({ ...process.env, SWARM_HOME: user.home, SWARM_NO_LAN: '1' });

async function once(mode) {
  let relay;
  const shareArgs = [CLI, 'share', source, '--json', '--host', '127.0.0.2', '--port', '0', '--no-lan'];
  if (mode === 'relay') {
    relay = startChild([CLI, 'relay', '--host', '127.0.0.9', '--port', '0', '--json'], { env: env(rick) });
    const ready = (await relay.waitFor((e) => e.event === 'ready')).event;
    shareArgs.push('--relay', `127.0.0.9:${ready.port}`);
  }
  const share = startChild(shareArgs, { env: env(alice) });
  if (relay) await share.waitFor((e) => e.event === 'relay' && e.state === 'registered');
  let magnet = String((await share.waitFor((e) => e.event === 'ready')).event.magnet);
  if (relay) magnet = magnet.replace(/x\.pe=[^&]+/, 'x.pe=127.0.0.2%3A1');
  const out = join(dir, `out-${mode}`);
  const relayCpuBefore = relay ? cpuSecondsOf(relay.child.pid) : 0;
  const shareCpuBefore = cpuSecondsOf(share.child.pid);
  const get = startChild([CLI, 'get', magnet, '-o', out, '--json', '--host', '127.0.0.3', '--no-lan'], { env: env(bob), timed: true });
  const first = await get.waitFor((e) => e.event === 'metadata');
  const done = await get.waitFor((e) => e.event === 'done');
  await get.exited;
  const relayCpu = relay ? cpuSecondsOf(relay.child.pid) - relayCpuBefore : NaN;
  const shareCpu = cpuSecondsOf(share.child.pid) - shareCpuBefore;
  await share.kill('SIGINT');
  if (relay) await relay.kill('SIGINT');
  if (fileSha256(join(out, 'big.bin')) !== sourceHash) throw new Error(`${mode}: file differs`);
  removeDir(out);
  const gib = (SIZE_MIB * MiB) / GiB;
  return { ms: done.atMs, ttfbMs: first.atMs, getCpuPerGiB: get.cpuSeconds / gib, shareCpuPerGiB: shareCpu / gib, relayCpuPerGiB: relayCpu / gib, load: loadAverage() };
}

console.log(`relay vs direct, ${SIZE_MIB} MiB on loopback, ${RUNS} runs each (load ${loadAverage()} at start)`);
const results = { direct: [], relay: [] };
for (let run = 0; run < RUNS; run++) {
  for (const mode of ['direct', 'relay']) {
    const r = await once(mode);
    results[mode].push(r);
    console.log(`  ${mode.padEnd(6)} run ${run + 1}: ${mbps(SIZE_MIB * MiB, r.ms).toFixed(1)} MB/s, first bytes after ${r.ttfbMs.toFixed(0)} ms, CPU/GiB get ${r.getCpuPerGiB.toFixed(1)} s, share ${r.shareCpuPerGiB.toFixed(1)} s${mode === 'relay' ? `, relay ${r.relayCpuPerGiB.toFixed(1)} s` : ''} (load ${r.load})`);
  }
}
for (const mode of ['direct', 'relay']) {
  const rs = results[mode];
  const m = (key) => median(rs.map((r) => r[key]));
  console.log(`${mode}: median ${mbps(SIZE_MIB * MiB, m('ms')).toFixed(1)} MB/s, first bytes ${m('ttfbMs').toFixed(0)} ms, CPU s/GiB: get ${m('getCpuPerGiB').toFixed(1)}, share ${m('shareCpuPerGiB').toFixed(1)}${mode === 'relay' ? `, relay ${m('relayCpuPerGiB').toFixed(1)}` : ''}`);
}
console.log(`load at end ${loadAverage()}`);
