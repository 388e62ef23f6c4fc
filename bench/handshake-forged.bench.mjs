#!/usr/bin/env node
// What forged handshake v2 message 1s cost a listening node, over real TCP on loopback
// (npm run bench -- handshake-forged; issue 14: "under 50 ms of CPU for 10,000, no DH").
//  - server (a child process, so only its CPU is counted), one of:
//      hold:  a plain node:net server that reads until the peer closes (the shape of swarm's
//             silence, which never closes first), so swarm minus hold is swarm's own work;
//      swarm: a SwarmNode (dist/net) with the default limits, trusting everyone;
//      other: with BENCH_AGAINST=<another build's dist>, a SwarmNode of that build;
//      bare:  with BENCH_BARE=1, a server that reads 307 bytes and closes (TCP's own cost);
//      loaded: with BENCH_LOADED=1, "hold" in a process that has loaded swarm and made a node;
//  - this process: sends BENCH_FORGED (10,000) message 1s (the v2 marker + 301 random bytes,
//    so mac1 is wrong: the sender does not know the key), BENCH_CONCURRENCY (64) connections
//    at a time from 64 loopback addresses (127.1.0.1..64, so no per-address cap is hit),
//    each ending (FIN) after its 307 bytes, and waits until every one has closed.
// Making the difference resolvable (the effect is tens of ms in a second of TCP work):
//  - the server is pinned to core 0 and this process to core 1 (taskset, when there is one);
//  - BENCH_ROUNDS (9) rounds, the kinds interleaved in alternating order within each round;
//  - the server's CPU is read inside the server around the measured flood only (after a
//    warm-up flood, a forced gc() and a short settle), not its start-up;
//  - the result is the median of per-round paired differences (swarm minus hold of the same
//    round) with its quartiles and range, not a difference of medians.
// Then a per-message breakdown in this process on pre-read buffers (bench/forged-breakdown.mjs).
// Env: BENCH_DIST (default ../dist), BENCH_FORGED, BENCH_CONCURRENCY, BENCH_ROUNDS, BENCH_AGAINST, BENCH_BARE,
// BENCH_PROFILE (a directory: CPU profiles of each server's measured flood).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { loadAverage } from './load-average.mjs';
import { breakdown } from './forged-breakdown.mjs';

const dist = process.env.BENCH_DIST ? pathToFileURL(resolve(process.env.BENCH_DIST)).href + '/' : new URL('../dist/', import.meta.url).href;
const FORGED = Number(process.env.BENCH_FORGED ?? 10_000);
const WARM_UP = Math.min(FORGED, 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const MESSAGE1_BYTES = 307;
const SETTLE_MS = 100;
const role = process.argv[2];
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function runServer(kind) {
  const noiseDh = await import(dist + 'crypto/noise-dh.js');
  let node;
  let server;
  if (kind === 'loaded') {
    // "hold" in a process that has also loaded swarm and made a SwarmNode (not listening):
    // tells the cost of swarm's heap and code in the process from that of its accept path.
    const { createIdentity } = await import(dist + 'identity/identity.js');
    const { SwarmNode } = await import(dist + 'net/swarm-node.js');
    globalThis.idleNode = new SwarmNode({ identity: createIdentity(), trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
  }
  if (kind === 'hold' || kind === 'bare' || kind === 'loaded') {
    server = createServer((socket) => {
      let bytes = 0;
      socket.on('error', () => {});
      socket.on('data', kind !== 'bare' ? () => {} : (chunk) => {
        bytes += chunk.length;
        if (bytes >= MESSAGE1_BYTES) socket.destroy();
      });
    });
    await new Promise((done) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, done));
  } else {
    const from = kind === 'other' ? pathToFileURL(resolve(process.env.BENCH_AGAINST)).href + '/' : dist;
    const { createIdentity } = await import(from + 'identity/identity.js');
    const { SwarmNode } = await import(from + 'net/swarm-node.js');
    node = new SwarmNode({ identity: createIdentity(), trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
    node.handle('chat', () => {});
  }
  const port = node ? (await node.listen()).port : server.address().port;
  let cpuBefore;
  let dhBefore;
  const profiler = process.env.BENCH_PROFILE ? await startProfiler() : undefined;
  process.on('message', async (message) => {
    if (message === 'mark') {
      // Same heap state for every kind: the warm-up's garbage is gone before the measured flood.
      await sleep(SETTLE_MS);
      globalThis.gc?.();
      await profiler?.start();
      dhBefore = noiseDh.dhCounter.calls;
      cpuBefore = process.cpuUsage();
      process.send('marked');
    } else if (message === 'report') {
      // The last sockets' 'close' callbacks run just after the flooder sees them closed.
      await sleep(SETTLE_MS);
      const cpu = process.cpuUsage(cpuBefore);
      await profiler?.stop(`${process.env.BENCH_PROFILE}/${kind}-${process.pid}.cpuprofile`);
      const refusals = node ? Object.fromEntries(node.refusalCounts) : {};
      process.send({ cpuMs: (cpu.user + cpu.system) / 1000, dh: noiseDh.dhCounter.calls - dhBefore, refusals });
    } else if (message === 'exit') process.exit(0);
  });
  process.send({ port });
}

/** BENCH_PROFILE=<dir>: a CPU profile of the measured flood only (not start-up or warm-up), one file per server. */
async function startProfiler() {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  return {
    start: () => session.post('Profiler.start'),
    stop: async (file) => writeFileSync(file, JSON.stringify((await session.post('Profiler.stop')).profile)),
  };
}

function forgedMessage(marker) {
  return Buffer.concat([marker, randomBytes(MESSAGE1_BYTES - marker.length)]);
}

/** Sends `count` forged message 1s, CONCURRENCY at a time; resolves when every connection has closed. */
function flood(port, marker, count) {
  return new Promise((done) => {
    let started = 0;
    let closed = 0;
    let answeredBytes = 0;
    let failed = 0;
    const one = () => {
      const index = started++;
      const socket = connect({ host: '127.0.0.1', port, localAddress: `127.1.0.${1 + (index % 64)}` });
      socket.on('error', () => failed++);
      socket.on('data', (chunk) => (answeredBytes += chunk.length));
      socket.once('connect', () => socket.end(forgedMessage(marker)));
      socket.once('close', () => {
        closed++;
        if (started < count) one();
        else if (closed === count) done({ answeredBytes, failed });
      });
    };
    for (let i = 0; i < Math.min(CONCURRENCY, count); i++) one();
  });
}

const canPin = (() => {
  if (availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function startServer(kind) {
  const script = new URL(import.meta.url).pathname;
  // BENCH_SERVER_FLAGS: extra node flags for the server (e.g. --cpu-prof to see where its CPU goes).
  const args = ['--expose-gc', ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []), script, 'server', kind];
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const child = canPin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio }) : spawn(process.execPath, args, { stdio });
  const next = () => new Promise((done) => child.once('message', done));
  return { child, next };
}

async function round(kind, marker) {
  const server = startServer(kind);
  const { port } = await server.next();
  // Warm-up: the same path, so neither side pays first-use costs (JIT, grown maps) in the measured flood.
  await flood(port, marker, WARM_UP);
  const load = loadAverage();
  server.child.send('mark');
  await server.next();
  const wallStart = performance.now();
  const client = await flood(port, marker, FORGED);
  const wallMs = performance.now() - wallStart;
  server.child.send('report');
  const report = await server.next();
  server.child.send('exit');
  await new Promise((done) => server.child.once('exit', done));
  return { kind, ...report, ...client, wallMs, load };
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
function quartiles(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  return { min: sorted[0], q1: at(0.25), median: at(0.5), q3: at(0.75), max: sorted.at(-1) };
}
const fmt = (s) => `median ${s.median.toFixed(0)} ms (quartiles ${s.q1.toFixed(0)}..${s.q3.toFixed(0)}, range ${s.min.toFixed(0)}..${s.max.toFixed(0)})`;

async function main() {
  const wire = await import(dist + 'secure/handshake-wire.js');
  console.log(`forged message 1s over TCP (${dist}): ${FORGED} per round (after ${WARM_UP} to warm up), ${CONCURRENCY} at a time, ${ROUNDS} rounds; ${canPin ? 'server pinned to core 0, flooder to core 1' : 'not pinned (no taskset or one core)'}; load ${loadAverage()}`);
  const kinds = ['hold', 'swarm', ...(process.env.BENCH_AGAINST ? ['other'] : []), ...(process.env.BENCH_BARE ? ['bare'] : []), ...(process.env.BENCH_LOADED ? ['loaded'] : [])];
  const results = Object.fromEntries(kinds.map((kind) => [kind, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of r % 2 === 0 ? kinds : [...kinds].reverse()) {
      const result = await round(kind, wire.V2_MARKER);
      results[kind].push(result);
      console.log(`  round ${r + 1} ${kind.padEnd(5)} ${result.cpuMs.toFixed(0).padStart(5)} ms server CPU (${((result.cpuMs * 1000) / FORGED).toFixed(1)} us each), wall ${result.wallMs.toFixed(0)} ms, ${result.dh} DH, ${result.answeredBytes} bytes answered, ${result.failed} failed, load ${result.load}${kind === 'swarm' || kind === 'other' ? `, refusals ${JSON.stringify(result.refusals)}` : ''}`);
    }
  }
  const diff = (a, b) => results[a].map((r, i) => r.cpuMs - results[b][i].cpuMs);
  for (const kind of kinds) console.log(`${kind}: ${fmt(quartiles(results[kind].map((r) => r.cpuMs)))} of server CPU for ${FORGED}`);
  console.log(`swarm minus hold, paired by round: ${fmt(quartiles(diff('swarm', 'hold')))} (bar: < 50 ms); per round ${diff('swarm', 'hold').map((d) => d.toFixed(0)).join(', ')}`);
  console.log(`DH on them: ${results.swarm.reduce((sum, r) => sum + r.dh, 0)} (bar: 0), bytes answered: ${results.swarm.reduce((sum, r) => sum + r.answeredBytes, 0)}`);
  if (results.other) {
    console.log(`other (${process.env.BENCH_AGAINST}) minus hold, paired: ${fmt(quartiles(diff('other', 'hold')))}`);
    console.log(`swarm minus other, paired: ${fmt(quartiles(diff('swarm', 'other')))}`);
  }
  if (results.bare) console.log(`hold minus bare, paired: ${fmt(quartiles(diff('hold', 'bare')))}`);
  if (results.loaded) console.log(`loaded (hold with swarm loaded) minus hold, paired: ${fmt(quartiles(diff('loaded', 'hold')))}; swarm minus loaded: ${fmt(quartiles(diff('swarm', 'loaded')))}`);
  const parts = await breakdown({ dist, count: FORGED, marker: wire.V2_MARKER, messageBytes: MESSAGE1_BYTES });
  const each = (ms) => `${ms.toFixed(1)} ms (${((ms * 1000) / FORGED).toFixed(2)} us each)`;
  console.log(`breakdown for ${FORGED} on pre-read buffers (this process, load ${loadAverage()}):`);
  console.log(`  mac1 check alone ${each(parts.mac1Ms)}; getpeername ${each(parts.peernameMs)}`);
  console.log(`  accept path on stand-in sockets: swarm ${each(parts.swarmMs)}, hold ${each(parts.holdMs)}, swarm minus hold ${each(parts.swarmMs - parts.holdMs)} (getpeername not included: add it if the path makes the call), refusals ${JSON.stringify(parts.counts)}`);
  process.exit(0);
}

if (role === 'server') await runServer(process.argv[3]);
else await main();
