// Request pipeline vs the bandwidth-delay product on a long link (issue 10): a getter and a
// sharer (dist/ SwarmNodes, real webtorrent, the secure channel) in this process, the getter
// reaching the sharer only through bench/delay-relay.mjs at 20, 80 and 200 ms round trip.
// Every TRACE_MS it samples the getter's one wire: requests in flight, the pipeline's target,
// its RTT and rate estimates, the bytes received. Reported (CPU-independent signals, valid
// under load): how many round trips until the requests in flight reach the BDP of the rate
// the link then carries, the most in flight, and the in-flight bytes beside rate x RTT.
// Env: SHARE_BENCH_MIB (64), SHARE_BENCH_RTTS ("20,80,200"), TRACE_MS (10).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDelayRelay } from './delay-relay.mjs';
import { MiB, removeDir, tempDir } from './share-harness.mjs';
import { loadAverage } from './load-average.mjs';

const dist = (path) => import(new URL(`../dist/${path}`, import.meta.url).href);
const { createIdentity } = await dist('identity/identity.js');
const { SwarmNode } = await dist('net/swarm-node.js');
const { TorrentRouter } = await dist('share/torrent-router.js');
const { GetSession } = await dist('share/get-session.js');
const { startShare } = await dist('share/share-session.js');
const { parseMagnetLink } = await dist('share/magnet-link.js');
const { BLOCK_BYTES } = await dist('secure/buffer-pool.js');

const SIZE = Number(process.env.SHARE_BENCH_MIB ?? 64) * MiB;
const RTTS = (process.env.SHARE_BENCH_RTTS ?? '20,80,200').split(',').map(Number);
const TRACE_MS = Number(process.env.TRACE_MS ?? 10);
console.log(`${SIZE / MiB} MiB, in one process, load average ${loadAverage()} at the start`);

const identities = [createIdentity(), createIdentity()];
const trustOther = (self) => ({ allows: (key) => identities.some((i) => i !== self && Buffer.from(i.publicKey).equals(key)), list: () => identities.filter((i) => i !== self) });
async function makeNode(identity) {
  const node = new SwarmNode({ identity, trust: trustOther(identity), host: '127.0.0.1', port: 0 });
  const { port } = await node.listen();
  return { node, router: new TorrentRouter(node), keyText: identity.keyText, port };
}

const dir = tempDir();
const source = join(dir, 'long.bin');
writeFileSync(source, randomBytes(SIZE));

async function trace(rttMs) {
  const sharer = await makeNode(identities[0]);
  const getterNode = await makeNode(identities[1]);
  const relay = await startDelayRelay({ targetPort: sharer.port, oneWayDelayMs: rttMs / 2 });
  const share = await startShare({
    node: sharer.node, router: sharer.router, ownKeyText: sharer.keyText, advertisedAddresses: [{ host: relay.host, port: relay.port }],
    listenPort: relay.port, path: source, isAllowed: () => true,
  });
  const out = join(dir, `out-${rttMs}`);
  const getter = new GetSession({
    node: getterNode.node, router: getterNode.router, ownKeyText: getterNode.keyText, listenPort: getterNode.port,
    magnet: parseMagnetLink(share.magnet), extraPeers: [], outDir: out, stateDir: join(dir, `state-${rttMs}`), isForced: false, isAllowed: () => true,
  });
  const samples = [];
  const startMs = performance.now();
  let firstBlockMs;
  let firstRequestMs;
  let wireMs;
  const arrivals = [];
  const sends = [];
  const marks = [];
  const timer = setInterval(() => {
    const wire = getter.torrent?.wires?.[0];
    if (!wire?.linkMeter) return;
    if (wireMs === undefined) {
      wireMs = performance.now();
      const events = ['unchoke', 'have', 'bitfield', 'have-all', 'have-none', 'allowed-fast', 'extended'];
      for (const name of events) wire.once(name, () => marks.push(`${name} ${(performance.now() - startMs).toFixed(0)}`));
      getter.torrent.once('metadata', () => marks.push(`metadata ${(performance.now() - startMs).toFixed(0)}`));
      getter.torrent.once('ready', () => marks.push(`ready ${(performance.now() - startMs).toFixed(0)}`));
      marks.push(`wire ${(performance.now() - startMs).toFixed(0)}`);
      wire.on('download', () => arrivals.length < 400 && arrivals.push(performance.now()));
      const request = wire.request.bind(wire);
      wire.request = (...args) => (sends.length < 400 && sends.push(performance.now()), request(...args));
    }
    if (wire.requests.length > 0) firstRequestMs ??= performance.now();
    const meter = wire.linkMeter;
    const received = wire.downloaded;
    if (received > 0 && firstBlockMs === undefined) firstBlockMs = performance.now();
    samples.push({ atMs: performance.now() - startMs, inFlight: wire.requests.length, target: meter.pipelineBlocks(), rttMs: meter.rttMs() ?? 0, rate: meter.rateBytesPerSecond(), received });
  }, TRACE_MS);
  await getter.run();
  const doneMs = performance.now();
  clearInterval(timer);
  await getter.close();
  await share.close();
  await relay.close();
  await sharer.node.close();
  await getterNode.node.close();
  removeDir(out);
  if (process.env.TRACE_ARRIVALS) console.log(marks.join(', '), 'first send', (sends[0] - startMs).toFixed(0));
  if (process.env.TRACE_ARRIVALS) console.log('sends', sends.slice(0, 200).map((t) => (t - sends[0]).toFixed(0)).join(' '), '\narrivals', arrivals.slice(0, 200).map((t) => (t - sends[0]).toFixed(0)).join(' '));
  return { rttMs, samples, wireMs: wireMs - startMs, firstRequestMs: firstRequestMs - startMs, firstBlockMs: firstBlockMs - startMs, doneMs: doneMs - startMs };
}

const rows = [];
for (const rttMs of RTTS) {
  const { samples, wireMs, firstRequestMs, firstBlockMs, doneMs } = await trace(rttMs);
  // The rate the link carried once open: received bytes over the second half of the transfer.
  const half = samples.filter((s) => s.received >= SIZE / 2);
  const steadyRate = half.length > 1 ? ((half.at(-1).received - half[0].received) * 1000) / (half.at(-1).atMs - half[0].atMs) : 0;
  const bdpBlocks = Math.ceil((steadyRate * rttMs) / 1000 / BLOCK_BYTES);
  const reached = samples.find((s) => s.atMs >= firstBlockMs && s.inFlight >= bdpBlocks);
  const roundTrips = reached ? (reached.atMs - firstBlockMs) / rttMs : NaN;
  const maxInFlight = Math.max(...samples.map((s) => s.inFlight));
  const medianInFlight = [...half.map((s) => s.inFlight)].sort((a, b) => a - b)[Math.floor(half.length / 2)] ?? 0;
  const measuredRtt = samples.at(-1)?.rttMs ?? 0;
  rows.push(`| ${rttMs} ms | ${measuredRtt.toFixed(0)} | ${(steadyRate / 1e6).toFixed(1)} | ${bdpBlocks} | ${medianInFlight} | ${maxInFlight} | ${Number.isFinite(roundTrips) ? roundTrips.toFixed(1) : 'never'} | ${((SIZE / 1e6) / ((doneMs - firstBlockMs) / 1000)).toFixed(1)} |`);
  // Start-up in round trips (sampled every TRACE_MS): the wire exists once the channel is open.
  console.log(`RTT ${rttMs} ms: wire at ${wireMs.toFixed(0)} ms, first request ${((firstRequestMs - wireMs) / rttMs).toFixed(1)} round trips after it`);
  console.log(`RTT ${rttMs} ms: first block at ${firstBlockMs.toFixed(0)} ms, done at ${doneMs.toFixed(0)} ms (load average ${loadAverage()})`);
  // The opening: in flight and target per round trip for the first 8 round trips.
  const opening = [];
  for (let k = 0; k <= 8; k++) {
    const at = firstBlockMs + k * rttMs;
    const s = samples.find((x) => x.atMs >= at);
    if (s) opening.push(`${k}: ${s.inFlight}/${s.target} (rtt ${s.rttMs.toFixed(0)} rate ${(s.rate / 1e6).toFixed(1)})`);
  }
  console.log(`  requests in flight / pipeline target after k round trips from the first block: ${opening.join(', ')}`);
}
removeDir(dir);
console.log(`\nload average ${loadAverage()} at the end`);
console.log('| RTT (relay) | measured min RTT ms | rate carried, 2nd half MB/s | BDP of that rate, blocks | median requests in flight, 2nd half | most in flight | round trips from first block to BDP in flight | MB/s first block to done |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
process.exit(0);
