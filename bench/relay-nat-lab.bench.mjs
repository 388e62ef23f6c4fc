// Relays across the NAT lab (issue 12): two homes behind nftables-masquerade routers, a relay
// on the public segment (test/helpers/nat-lab-core.mjs). The same get from home B of a file
// shared in home A, two ways:
//   direct: miniupnpd (NAT-PMP) on router A maps the sharer's port; the get dials it
//   relay:  no mapping; the sharer is registered with `swarm relay`; every byte goes through it
// Per mode, median of RELAY_LAB_RUNS (default 3) of RELAY_LAB_MIB (default 128) MiB:
//   throughput: file bytes / (get spawned -> done), MB/s
//   time to first byte: get spawned -> its `metadata` event (first bytes from the sharer)
//   CPU s/GiB: getter (/usr/bin/time), sharer and relay (/proc/<pid>/stat, during the get)
// Needs root, nftables and miniupnpd; says so and exits 0 otherwise. Wall-clock numbers are
// only comparable at the same load: the load average is printed with every run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, MiB, cpuSecondsOf, fileSha256, makeUsers, mbps, median, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';
import { createNatLab, natLabUnavailableReason } from '../test/helpers/nat-lab-core.mjs';
import { MINIUPNPD_PATH, MINIUPNPD_PUBLIC_SUBNET, startMiniupnpd } from '../test/helpers/nat-lab-miniupnpd-core.mjs';

const unavailable = natLabUnavailableReason() ?? (existsSync(MINIUPNPD_PATH) ? undefined : 'miniupnpd is not installed');
if (unavailable) {
  console.log(`relay NAT-lab bench skipped: ${unavailable}`);
  process.exit(0);
}
const SIZE_MIB = Number(process.env.RELAY_LAB_MIB ?? 128);
const RUNS = Number(process.env.RELAY_LAB_RUNS ?? 3);
const GiB = 1024 ** 3;
const RELAY_PORT = 7000;
const SHARE_PORT = 7411;

const { users: [alice, bob, rick] } = await makeUsers(['alice', 'bob', 'rick']);
const dir = tempDir();
const source = randomFile(join(dir, 'big.bin'), SIZE_MIB * MiB);
const sourceHash = fileSha256(source);
const lab = createNatLab({ homes: 2, publicHosts: ['relay'], publicSubnet: MINIUPNPD_PUBLIC_SUBNET });
const relayAddress = `${lab.publicHosts.relay.address}:${RELAY_PORT}`;
const env = (user, extra = {}) => ({ ...process.env, SWARM_HOME: user.home, SWARM_NO_LAN: '1', SWARM_NO_DHT: '1', SWARM_NO_NAT: '1', ...extra });

async function once(mode) {
  const router = mode === 'direct' ? await startMiniupnpd(lab, 0, { natPmp: true, upnp: false }) : undefined;
  let relay;
  try {
    const shareArgs = [CLI, 'share', source, '--json', '--port', String(SHARE_PORT), '--no-lan'];
    if (mode === 'relay') {
      relay = startChild([CLI, 'relay', '--port', String(RELAY_PORT), '--json'], { env: env(rick), netns: lab.publicHosts.relay.ns });
      await relay.waitFor((e) => e.event === 'ready', 30_000);
      shareArgs.push('--relay', relayAddress);
    }
    const share = startChild(shareArgs, { env: env(alice, mode === 'direct' ? { SWARM_NO_NAT: '0' } : {}), netns: lab.homes[0].ns });
    if (relay) await share.waitFor((e) => e.event === 'relay' && e.state === 'registered', 30_000);
    const magnet = String((await share.waitFor((e) => e.event === 'ready', 120_000)).event.magnet);
    if (mode === 'direct' && !magnet.includes(encodeURIComponent(`${lab.routers[0].wanAddress}:${SHARE_PORT}`))) throw new Error('direct: the magnet has no mapped address');
    const out = join(dir, `out-${mode}`);
    const relayCpuBefore = relay ? cpuSecondsOf(relay.child.pid) : 0;
    const shareCpuBefore = cpuSecondsOf(share.child.pid);
    const load = loadAverage();
    const get = startChild([CLI, 'get', magnet, '-o', out, '--json', '--no-lan'], { env: env(bob), timed: true, netns: lab.homes[1].ns });
    const first = await get.waitFor((e) => e.event === 'metadata', 120_000);
    const done = await get.waitFor((e) => e.event === 'done', 600_000);
    await get.exited;
    const relayCpu = relay ? cpuSecondsOf(relay.child.pid) - relayCpuBefore : NaN;
    const shareCpu = cpuSecondsOf(share.child.pid) - shareCpuBefore;
    await share.kill('SIGINT');
    let relayedBytes = 0;
    if (relay) {
      await relay.kill('SIGINT');
      relayedBytes = relay.events.find((e) => e.event.event === 'stopped')?.event.relayedBytes ?? NaN;
    }
    if (fileSha256(join(out, 'big.bin')) !== sourceHash) throw new Error(`${mode}: file differs`);
    removeDir(out);
    const gib = (SIZE_MIB * MiB) / GiB;
    return { ms: done.atMs, ttfbMs: first.atMs, getCpuPerGiB: get.cpuSeconds / gib, shareCpuPerGiB: shareCpu / gib, relayCpuPerGiB: relayCpu / gib, relayedBytes, load };
  } finally {
    router?.stop();
  }
}

try {
  console.log(`relay vs direct across the NAT lab, ${SIZE_MIB} MiB, ${RUNS} runs each (load ${loadAverage()} at start)`);
  const results = { direct: [], relay: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const mode of ['direct', 'relay']) {
      const r = await once(mode);
      results[mode].push(r);
      console.log(`  ${mode.padEnd(6)} run ${run + 1}: ${mbps(SIZE_MIB * MiB, r.ms).toFixed(1)} MB/s, first bytes after ${r.ttfbMs.toFixed(0)} ms, CPU/GiB get ${r.getCpuPerGiB.toFixed(1)} s, share ${r.shareCpuPerGiB.toFixed(1)} s${mode === 'relay' ? `, relay ${r.relayCpuPerGiB.toFixed(1)} s (relayed ${(r.relayedBytes / MiB).toFixed(0)} MiB)` : ''} (load ${r.load})`);
    }
  }
  for (const mode of ['direct', 'relay']) {
    const m = (key) => median(results[mode].map((r) => r[key]));
    console.log(`${mode}: median ${mbps(SIZE_MIB * MiB, m('ms')).toFixed(1)} MB/s, first bytes ${m('ttfbMs').toFixed(0)} ms, CPU s/GiB: get ${m('getCpuPerGiB').toFixed(1)}, share ${m('shareCpuPerGiB').toFixed(1)}${mode === 'relay' ? `, relay ${m('relayCpuPerGiB').toFixed(1)}` : ''}`);
  }
  console.log(`load at end ${loadAverage()}`);
} finally {
  lab.destroy();
  removeDir(dir);
}
