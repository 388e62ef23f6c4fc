// Port mapping cost at share start: ms from spawning `swarm share --json` in a NAT-lab home
// to its `ready` event (and to the mapping's answer), and the share process's CPU seconds,
// for a router with miniupnpd answering NAT-PMP, one answering only UPnP IGD, one with no
// mapping service, and --no-nat. Median of PORT_MAP_RUNS. Then the mapping alone, in one
// process in the home: PortMapping.open() + close() against miniupnpd, PORT_MAP_CYCLES times,
// wall ms and CPU ms (process.cpuUsage) per cycle. Needs root, nftables, miniupnpd; says so
// and exits 0 otherwise. A 64 KiB file: hashing is not what is measured.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, makeUsers, median, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';
import { createNatLab, natLabUnavailableReason } from '../test/helpers/nat-lab-core.mjs';
import { MINIUPNPD_PATH, MINIUPNPD_PUBLIC_SUBNET, startMiniupnpd } from '../test/helpers/nat-lab-miniupnpd-core.mjs';

const RUNS = Number(process.env.PORT_MAP_RUNS ?? 5);
const unavailable = natLabUnavailableReason() ?? (existsSync(MINIUPNPD_PATH) ? undefined : 'miniupnpd is not installed');
if (unavailable) {
  console.log(`port-mapping bench skipped: ${unavailable}`);
  process.exit(0);
}

const { users: [alice], root: homes } = await makeUsers(['alice', 'bob']);
const dir = tempDir();
const file = randomFile(join(dir, 'small.bin'), 64 * 1024);
const lab = createNatLab({ homes: 1, publicSubnet: MINIUPNPD_PUBLIC_SUBNET });

async function once(natArgs) {
  const env = { ...process.env, SWARM_HOME: alice.home, SWARM_NO_NAT: '0' };
  const share = startChild([CLI, 'share', file, '--json', '--port', '7600', ...natArgs], { env, timed: true, netns: lab.homes[0].ns });
  const ready = await share.waitFor((e) => e.event === 'ready', 60_000);
  const answer = share.events.find((e) => e.event.event === 'port-mapped' || e.event.code === 'NAT_UNMAPPED');
  await share.kill('SIGINT');
  return { readyMs: ready.atMs, answerMs: answer?.atMs ?? NaN, outcome: answer ? answer.event.method ?? 'unmapped' : 'off', cpuSeconds: share.cpuSeconds };
}

// One process maps and unmaps port 7601 CYCLES times; prints {wallMs, cpuMs} per cycle (medians).
const CYCLES = Number(process.env.PORT_MAP_CYCLES ?? 20);
const MAPPER = `
const { PortMapping } = await import(${JSON.stringify(new URL('../dist/nat/port-mapping.js', import.meta.url).href)});
const walls = [], cpus = [];
let unconfirmed = 0;
for (let i = 0; i < ${CYCLES}; i++) {
  const t = performance.now(), c = process.cpuUsage();
  const mapping = await PortMapping.open({ internalPort: 7601 });
  if (!(await mapping.close())) unconfirmed++;
  const used = process.cpuUsage(c);
  walls.push(performance.now() - t); cpus.push((used.user + used.system) / 1000);
}
const med = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(JSON.stringify({ wallMs: med(walls), cpuMs: med(cpus), unconfirmed }));
`;
async function mappingCycles(protocols) {
  const router = await startMiniupnpd(lab, 0, protocols);
  try {
    const result = lab.exec(lab.homes[0].ns, process.execPath, ['--input-type=module', '-e', MAPPER], { timeoutMs: 120_000 });
    if (result.code !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout);
  } finally {
    router.stop();
  }
}

const rows = [];
const cycles = [];
try {
  for (const [name, protocols, natArgs] of [
    ['--no-nat', undefined, ['--no-nat']],
    ['no mapping service', undefined, []],
    ['miniupnpd NAT-PMP', { natPmp: true, upnp: false }, []],
    ['miniupnpd UPnP only', { natPmp: false, upnp: true }, []],
  ]) {
    const router = protocols ? await startMiniupnpd(lab, 0, protocols) : undefined;
    const runs = [];
    try {
      for (let i = 0; i < RUNS; i++) runs.push(await once(natArgs));
    } finally {
      router?.stop();
    }
    rows.push({ name, outcome: runs[0].outcome, readyMs: median(runs.map((r) => r.readyMs)), answerMs: median(runs.map((r) => r.answerMs)), cpuSeconds: median(runs.map((r) => r.cpuSeconds)) });
  }
  cycles.push({ name: 'NAT-PMP', ...(await mappingCycles({ natPmp: true, upnp: false })) });
  cycles.push({ name: 'UPnP IGD (after 1.75 s of NAT-PMP silence)', ...(await mappingCycles({ natPmp: false, upnp: true })) });
} finally {
  lab.destroy();
  removeDir(dir);
  removeDir(homes);
}
console.log(`port mapping at share start (median of ${RUNS}, load ${loadAverage()}):`);
console.log('| router | outcome | spawn -> mapping answer | spawn -> ready | share CPU s (start + stop) |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.name} | ${r.outcome} | ${Number.isNaN(r.answerMs) ? '-' : `${Math.round(r.answerMs)} ms`} | ${Math.round(r.readyMs)} ms | ${r.cpuSeconds.toFixed(2)} |`);
console.log(`\nmap + unmap in one process (median of ${CYCLES} cycles, load ${loadAverage()}):`);
console.log('| protocol | wall ms per cycle | CPU ms per cycle | deletes not confirmed in 2 s |');
console.log('| --- | --- | --- | --- |');
for (const c of cycles) console.log(`| ${c.name} | ${c.wallMs.toFixed(1)} | ${c.cpuMs.toFixed(1)} | ${c.unconfirmed} of ${CYCLES} |`);
