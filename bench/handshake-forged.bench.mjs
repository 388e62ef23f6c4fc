#!/usr/bin/env node
// What forged handshake v2 message 1s cost a listening node, over real TCP on loopback
// (npm run bench -- handshake-forged; issue 14: "under 50 ms of CPU for 10,000, no DH").
//  - server (a child process, so only its CPU is counted), one of:
//      bare:  a plain node:net server that accepts, reads 307 bytes and closes: the TCP and
//             libuv cost every protocol over TCP pays, whatever it does with the bytes;
//      hold:  the same, but it reads on and closes when the peer does (the shape of swarm's
//             silence, which never closes first), so swarm minus hold is swarm's own work;
//      swarm: a SwarmNode (dist/net) with the default limits, trusting everyone;
//  - this process: sends BENCH_FORGED (10,000) message 1s (the v2 marker + 301 random bytes,
//    so mac1 is wrong: the sender does not know the key), BENCH_CONCURRENCY (64) connections
//    at a time from 64 loopback addresses (127.1.0.1..64, so no per-address cap is hit),
//    each ending (FIN) after its 307 bytes, and waits until every one has closed.
// The server's CPU (process.cpuUsage) is read before and after the flood. Rounds alternate
// bare and swarm (BENCH_ROUNDS, 3 each) so both see the same machine load.
// Also: the marker + mac1 checks alone on the same 10,000 messages, in this process.
// BENCH_AGAINST=<another build's dist> adds a fourth server, `other` (a SwarmNode of that
// build), in the same rounds: "swarm minus other", paired by round, is what a change saved.
// Env: BENCH_DIST (default ../dist), BENCH_FORGED, BENCH_CONCURRENCY, BENCH_ROUNDS, BENCH_AGAINST.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = process.env.BENCH_DIST ? pathToFileURL(resolve(process.env.BENCH_DIST)).href + '/' : new URL('../dist/', import.meta.url).href;
const FORGED = Number(process.env.BENCH_FORGED ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MESSAGE1_BYTES = 307;
const role = process.argv[2];

async function runServer(kind) {
  const noiseDh = await import(dist + 'crypto/noise-dh.js');
  let port;
  let node;
  if (kind === 'hold') {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.on('data', () => {});
    });
    await new Promise((done) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, done));
    port = server.address().port;
  } else if (kind === 'bare') {
    const server = createServer((socket) => {
      let bytes = 0;
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        bytes += chunk.length;
        if (bytes >= MESSAGE1_BYTES) socket.destroy();
      });
    });
    await new Promise((done) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, done));
    port = server.address().port;
  } else {
    const from = kind === 'other' ? pathToFileURL(resolve(process.env.BENCH_AGAINST)).href + '/' : dist;
    const { createIdentity } = await import(from + 'identity/identity.js');
    const { SwarmNode } = await import(from + 'net/swarm-node.js');
    node = new SwarmNode({ identity: createIdentity(), trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
    node.handle('chat', () => {});
    port = (await node.listen()).port;
  }
  let cpuBefore;
  let dhBefore;
  process.on('message', (message) => {
    if (message === 'mark') {
      dhBefore = noiseDh.dhCounter.calls;
      cpuBefore = process.cpuUsage();
      process.send('marked');
    } else if (message === 'report') {
      const cpu = process.cpuUsage(cpuBefore);
      const refusals = node ? Object.fromEntries(node.refusalCounts) : {};
      process.send({ cpuMs: (cpu.user + cpu.system) / 1000, dh: noiseDh.dhCounter.calls - dhBefore, refusals });
    } else if (message === 'exit') process.exit(0);
  });
  process.send({ port });
}

function forgedMessage(marker) {
  return Buffer.concat([marker, randomBytes(MESSAGE1_BYTES - marker.length)]);
}

/** Sends FORGED message 1s, CONCURRENCY at a time; resolves when every connection has closed. */
function flood(port, marker) {
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
        if (started < FORGED) one();
        else if (closed === FORGED) done({ answeredBytes, failed });
      });
    };
    for (let i = 0; i < Math.min(CONCURRENCY, FORGED); i++) one();
  });
}

function startServer(kind) {
  const child = fork(new URL(import.meta.url).pathname, ['server', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((done) => child.once('message', done));
  return { child, next };
}

async function round(kind, marker) {
  const server = startServer(kind);
  const { port } = await server.next();
  // Warm-up: the same path once, so neither side pays first-use costs in the measured flood.
  await flood(port, marker);
  server.child.send('mark');
  await server.next();
  const wallStart = performance.now();
  const client = await flood(port, marker);
  const wallMs = performance.now() - wallStart;
  server.child.send('report');
  const report = await server.next();
  server.child.send('exit');
  return { kind, ...report, ...client, wallMs, load: loadavg()[0] };
}

function checksOnly(wire, macs, identity) {
  const messages = Array.from({ length: FORGED }, () => forgedMessage(wire.V2_MARKER));
  const run = () => {
    const before = process.cpuUsage();
    let passed = 0;
    for (const message of messages) if (message.subarray(0, wire.MARKER_BYTES).equals(wire.V2_MARKER) && macs.hasValidMac1(message, identity.publicKey)) passed++;
    const cpu = process.cpuUsage(before);
    return { cpuMs: (cpu.user + cpu.system) / 1000, passed };
  };
  run(); // warm-up
  const runs = [run(), run(), run()].sort((a, b) => a.cpuMs - b.cpuMs);
  return runs[1];
}

async function main() {
  const wire = await import(dist + 'secure/handshake-wire.js');
  const macs = await import(dist + 'secure/handshake-macs.js');
  const { createIdentity } = await import(dist + 'identity/identity.js');
  console.log(`forged message 1s over TCP (${dist}): ${FORGED} per round, ${CONCURRENCY} at a time`);
  const check = checksOnly(wire, macs, createIdentity());
  console.log(`marker + mac1 checks alone: ${check.cpuMs.toFixed(1)} ms CPU for ${FORGED} (${((check.cpuMs * 1000) / FORGED).toFixed(2)} us each), ${check.passed} passed`);
  const kinds = process.env.BENCH_AGAINST ? ['bare', 'hold', 'swarm', 'other'] : ['bare', 'hold', 'swarm'];
  const results = Object.fromEntries(kinds.map((kind) => [kind, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of r % 2 === 0 ? kinds : [...kinds].reverse()) {
      const result = await round(kind, wire.V2_MARKER);
      results[kind].push(result);
      console.log(`  ${kind.padEnd(5)} ${result.cpuMs.toFixed(0).padStart(5)} ms server CPU (${((result.cpuMs * 1000) / FORGED).toFixed(1)} us each), wall ${result.wallMs.toFixed(0)} ms, ${result.dh} DH, ${result.answeredBytes} bytes answered, ${result.failed} failed, load ${result.load.toFixed(1)}${kind === 'swarm' || kind === 'other' ? `, refusals ${JSON.stringify(result.refusals)}` : ''}`);
    }
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const cpu = (kind) => median(results[kind].map((r) => r.cpuMs));
  // Paired by round: each swarm round minus the baseline round next to it.
  const paired = (kind) => median(results.swarm.map((r, i) => r.cpuMs - results[kind][i].cpuMs));
  console.log(`median of ${ROUNDS}: bare ${cpu('bare').toFixed(0)} ms, hold ${cpu('hold').toFixed(0)} ms, swarm ${cpu('swarm').toFixed(0)} ms for ${FORGED}`);
  console.log(`swarm minus bare ${(cpu('swarm') - cpu('bare')).toFixed(0)} ms (paired by round ${paired('bare').toFixed(0)} ms), swarm minus hold ${(cpu('swarm') - cpu('hold')).toFixed(0)} ms (paired ${paired('hold').toFixed(0)} ms) (bar: < 50 ms above TCP), DH on them: ${results.swarm.reduce((sum, r) => sum + r.dh, 0)} (bar: 0), bytes answered: ${results.swarm.reduce((sum, r) => sum + r.answeredBytes, 0)}`);
  if (results.other) console.log(`other (${process.env.BENCH_AGAINST}) ${cpu('other').toFixed(0)} ms: swarm minus other, paired by round, ${paired('other').toFixed(0)} ms; other minus hold (paired) ${median(results.other.map((r, i) => r.cpuMs - results.hold[i].cpuMs)).toFixed(0)} ms`);
  process.exit(0);
}

if (role === 'server') await runServer(process.argv[3]);
else await main();
