#!/usr/bin/env node
// Handshake v2 benchmarks (npm run bench -- handshake-v2), issue 14:
//  1. Complete handshakes with both ends in this process (one core): secureOutbound +
//     secureInbound over an in-memory duplex pair, sequentially, every one to ACCEPT and an
//     orderly close (bar: >= 1,200/s). Reported per CPU-second of this process
//     (process.cpuUsage: what the handshakes cost, whatever else runs on the machine) and
//     per wall-clock second, with the load average. The 50 identities exist before timing
//     starts (a node's identity and its peers' keys are long-lived), so first-contact work
//     (key conversion, the identity signature, static-static DH) is done in the warm-up.
//  2. Connect-to-first-byte: from calling SwarmNode.connect to the first application byte the
//     responder sends once the channel is open, directly on loopback and through a relay that
//     delays each direction by BENCH_DELAY_MS (default 10 ms, a 20 ms round trip), so the
//     number of round trips shows. Run it against an older build to compare:
//       BENCH_DIST=/path/to/v1/dist node bench/handshake-v2.bench.mjs
// Forged message 1s over TCP: bench/handshake-forged.bench.mjs; during a flood:
// bench/handshake-flood.bench.mjs.
// Env: BENCH_DIST (default ../dist), BENCH_HANDSHAKES (2000), BENCH_SAMPLES (40),
//      BENCH_DELAY_MS (10), BENCH_RUNS (3); BENCH_AGAINST=<other dist> (BENCH_PAIRS, 16)
//      compares this build's handshakes per CPU-second with another's, interleaved.
import { createServer, connect } from 'node:net';
import { Duplex } from 'node:stream';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = process.env.BENCH_DIST ? pathToFileURL(resolve(process.env.BENCH_DIST)).href + '/' : new URL('../dist/', import.meta.url).href;
const { createIdentity } = await import(dist + 'identity/identity.js');
const { SwarmNode } = await import(dist + 'net/swarm-node.js');
const { secureInbound, secureOutbound } = await import(dist + 'secure/establish-channel.js');
const wire = await import(dist + 'secure/handshake-wire.js').catch(() => undefined);
const version = wire ? 'v2' : 'v1';

const handshakeCount = Number(process.env.BENCH_HANDSHAKES ?? 2000);
const samples = Number(process.env.BENCH_SAMPLES ?? 40);
const delayMs = Number(process.env.BENCH_DELAY_MS ?? 10);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const trustAll = { allows: () => true };
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Two in-memory duplexes wired to each other (writes delivered on the next tick). */
function duplexPair() {
  const sides = [];
  const make = (index) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, cb) {
        const other = sides[1 - index];
        process.nextTick(() => other.push(chunk));
        cb();
      },
      final(cb) {
        const other = sides[1 - index];
        process.nextTick(() => other.push(null));
        cb();
      },
    });
  sides.push(make(0), make(1));
  return sides;
}

const identities = Array.from({ length: 50 }, () => createIdentity());

/** One run: returns handshakes per CPU-second and per wall-clock second. */
async function handshakesPerSecond(count = handshakeCount, secure = { secureInbound, secureOutbound }) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const [a, b] = duplexPair();
    const [client, server] = await Promise.all([
      secure.secureOutbound(a, { identity: identities[i % 50], allows: () => true, channel: 'chat', expectedKey: identities[(i + 1) % 50].publicKey }),
      secure.secureInbound(b, { identity: identities[(i + 1) % 50], allows: () => true, decideChannel: () => null }),
    ]);
    client.close();
    server.close();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { perCpuSecond: count / ((cpu.user + cpu.system) / 1e6), perSecond: count / ((performance.now() - started) / 1000), load: loadavg()[0] };
}

/**
 * BENCH_AGAINST=<another dist>: both builds in this one process, short runs alternating
 * (BENCH_PAIRS of 250 handshakes each), so a loaded machine slows both alike; the paired
 * median ratio is the speed-up of this build over the other.
 */
async function compareBuilds(otherDist) {
  const other = await import(pathToFileURL(resolve(otherDist)).href + '/secure/establish-channel.js');
  const builds = [{ name: dist, secure: { secureInbound, secureOutbound }, rates: [] }, { name: otherDist, secure: other, rates: [] }];
  for (const build of builds) await handshakesPerSecond(500, build.secure); // warm-up
  const pairs = Number(process.env.BENCH_PAIRS ?? 16);
  for (let pair = 0; pair < pairs; pair++) {
    for (const build of pair % 2 === 0 ? builds : [...builds].reverse()) build.rates.push((await handshakesPerSecond(250, build.secure)).perCpuSecond);
  }
  for (const build of builds) console.log(`  ${build.name}: median ${median(build.rates).toFixed(0)} handshakes per CPU-second (${pairs} runs of 250)`);
  const ratios = builds[0].rates.map((rate, i) => rate / builds[1].rates[i]);
  console.log(`this build / the other, paired median: ${median(ratios).toFixed(3)}x (load average ${loadavg()[0].toFixed(1)})`);
}

/** A TCP relay that holds every chunk `delayMs` in each direction. */
async function delayRelay(targetPort) {
  const server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port: targetPort });
    const forward = (from, to) => {
      from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
      from.on('end', () => setTimeout(() => to.end(), delayMs));
      from.on('error', () => to.destroy());
      from.on('close', () => setTimeout(() => to.destroy(), delayMs + 5));
    };
    forward(inbound, outbound);
    forward(outbound, inbound);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

async function connectToFirstByte(port, dialer, responderKey) {
  const out = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const link = await dialer.connect('127.0.0.1', port, 'chat', { expectedKey: responderKey });
    await new Promise((done) => link.stream.once('data', done));
    out.push(performance.now() - started);
    link.close();
    await sleep(20);
  }
  return out;
}

async function main() {
  console.log(`swarm handshake ${version} (${dist})`);
  if (process.env.BENCH_AGAINST) return compareBuilds(process.env.BENCH_AGAINST);
  const runsDone = [];
  await handshakesPerSecond(); // warm-up
  for (let run = 0; run < runs; run++) runsDone.push(await handshakesPerSecond());
  const perCpu = runsDone.map((r) => r.perCpuSecond);
  const perWall = runsDone.map((r) => r.perSecond);
  console.log(`handshakes per CPU-second, both ends on one core (${handshakeCount} sequential, in memory): median ${median(perCpu).toFixed(0)} [${perCpu.map((r) => r.toFixed(0)).join(', ')}] (bar: >= 1200)`);
  console.log(`handshakes per wall-clock second: median ${median(perWall).toFixed(0)} [${perWall.map((r) => r.toFixed(0)).join(', ')}] at load average ${runsDone.map((r) => r.load.toFixed(1)).join(', ')}`);

  const responder = createIdentity();
  const node = new SwarmNode({ identity: responder, trust: trustAll, host: '127.0.0.1', port: 0, maxLinksPerPeer: 1e6 });
  node.handle('chat', (link) => void link.stream.write('x'));
  const { port } = await node.listen();
  const dialer = new SwarmNode({ identity: createIdentity(), trust: trustAll });
  await connectToFirstByte(port, dialer, responder.publicKey); // warm-up
  const direct = await connectToFirstByte(port, dialer, responder.publicKey);
  const relay = await delayRelay(port);
  const delayed = await connectToFirstByte(relay.address().port, dialer, responder.publicKey);
  console.log(`connect-to-first-byte, loopback: median ${median(direct).toFixed(2)} ms (${samples} connects)`);
  console.log(`connect-to-first-byte, ${2 * delayMs} ms round trip: median ${median(delayed).toFixed(1)} ms = ${(median(delayed) / (2 * delayMs)).toFixed(2)} round trips (the relay accepts TCP at once, so these are the handshake's own round trips plus CPU time)`);
  relay.close();
  await Promise.all([node.close(), dialer.close()]);
}

await main();
process.exit(0);
