// Direct upgrade through the relay (issue 12 stretch) in the NAT lab: alice shares in home A
// with --relay, bob gets in home B; the relay (public segment) is capped at 2 MiB/s so a
// transfer that stays on it is visibly slower. Per router kind, RUNS gets of SIZE_MIB:
//   drop: routers drop unsolicited inbound SYNs (most home routers)
//   rst:  routers answer them with a RST (the lab's default: each round is a race)
// Reports: upgraded or not, the dialler's `direct` event (ms from the relayed link to the
// direct one, rounds, dials), bytes the relay carried, get wall time; load next to each.
//   DIRECT_BENCH_MIB (default 32), DIRECT_BENCH_RUNS (default 5)
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNatLab, natLabUnavailableReason } from '../test/helpers/nat-lab-core.mjs';
import { CLI, MiB, fileSha256, makeUsers, median, startChild, tempDir, removeDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';

const unavailable = natLabUnavailableReason();
if (unavailable) {
  console.log(`direct upgrade bench skipped: ${unavailable}`);
  process.exit(0);
}
const SIZE_MIB = Number(process.env.DIRECT_BENCH_MIB ?? 32);
const RUNS = Number(process.env.DIRECT_BENCH_RUNS ?? 5);
const STEALTH = 'table ip stealth {\n chain input { type filter hook input priority filter; policy accept;\n  iifname "wan" ct state new drop\n }\n}\n';

const { users: [alice, bob, rick] } = await makeUsers(['alice', 'bob', 'rick']);
const dir = tempDir();
const source = join(dir, 'film.bin');
writeFileSync(source, randomBytes(SIZE_MIB * MiB));
const sourceHash = fileSha256(source);
const env = (user) => ({ ...process.env, SWARM_HOME: user.home, SWARM_NO_LAN: '1', SWARM_NO_DIRECT: '0' });

async function once(lab, port) {
  const relayHost = lab.publicHosts.relay;
  const relayAddress = `${relayHost.address}:7000`;
  const relay = startChild([CLI, 'relay', '--port', '7000', '--max-rate', '2M', '--json'], { env: env(rick), netns: relayHost.ns });
  await relay.waitFor((e) => e.event === 'ready', 30_000);
  const share = startChild([CLI, 'share', source, '--port', String(port), '--relay', relayAddress, '--no-lan', '--json'], { env: env(alice), netns: lab.homes[0].ns });
  await share.waitFor((e) => e.event === 'relay' && e.state === 'registered', 30_000);
  const magnet = String((await share.waitFor((e) => e.event === 'ready', 60_000)).event.magnet);
  const out = join(dir, `out-${port}`);
  const get = startChild([CLI, 'get', magnet, '-o', out, '--no-lan', '--json'], { env: env(bob), netns: lab.homes[1].ns });
  const done = await get.waitFor((e) => e.event === 'done', 600_000);
  await get.exited;
  await share.kill('SIGINT');
  // Every spliced stream has closed (the share is gone): the relay's byte counts are final.
  const count = (name) => relay.events.filter((e) => e.event.event === name).length;
  await relay.waitFor(() => count('stream-closed') >= count('stream-open'), 15_000);
  const relayed = relay.events.filter((e) => e.event.event === 'stream-closed').reduce((sum, e) => sum + Number(e.event.bytes), 0);
  await relay.kill('SIGINT');
  if (fileSha256(join(out, 'film.bin')) !== sourceHash) throw new Error('file differs');
  removeDir(out);
  const direct = get.events.find((e) => e.event.event === 'direct')?.event;
  return { direct, relayedMiB: relayed / MiB, getMs: done.atMs, load: loadAverage() };
}

console.log(`direct upgrade, ${SIZE_MIB} MiB between two NAT homes, relay capped at 2 MiB/s, ${RUNS} runs per router kind (load ${loadAverage()} at start)`);
for (const kind of ['drop', 'rst']) {
  const lab = createNatLab({ homes: 2, publicHosts: ['relay'] });
  try {
    if (kind === 'drop') for (const router of lab.routers) lab.nft(router.ns, STEALTH);
    const results = [];
    for (let run = 0; run < RUNS; run++) {
      const r = await once(lab, 7100 + run);
      results.push(r);
      const d = r.direct;
      const what = d?.state === 'up' ? `direct after ${d.ms} ms (round ${d.rounds}, ${d.attempts} dials)` : `stayed relayed (${d?.reason ?? 'no event'})`;
      console.log(`  ${kind} run ${run + 1}: ${what}; relay carried ${(r.relayedMiB * 1024).toFixed(0)} KiB; get ${(r.getMs / 1000).toFixed(1)} s (load ${r.load})`);
    }
    const up = results.filter((r) => r.direct?.state === 'up');
    console.log(`${kind}: ${up.length}/${RUNS} upgraded; median upgrade ${up.length ? median(up.map((r) => r.direct.ms)).toFixed(0) : '-'} ms; median relay bytes ${(median(results.map((r) => r.relayedMiB)) * 1024).toFixed(0)} KiB; median get ${(median(results.map((r) => r.getMs)) / 1000).toFixed(1)} s`);
  } finally {
    lab.destroy();
  }
}
console.log(`load at end ${loadAverage()}`);
removeDir(dir);
