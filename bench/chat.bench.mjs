#!/usr/bin/env node
// Chat benchmark (npm run bench -- chat): three real nodes on loopback, chained A - B - C.
// A and C run in this process (ChatSession over SwarmNode, from dist/); B is a real
// `swarm chat` process, the relay, so the relay's verify/re-encrypt work gets the other
// core. Every message is signed at A and verified at B and at C; every hop is a secure
// channel (Noise, chacha20-poly1305); all three append to their history files.
//  1. Throughput: A sends BENCH_MESSAGES messages as fast as it can (in batches of 100 per
//     event-loop turn); msg/s = messages / (last arrival at C - first send at A).
//  2. Latency: A sends at a fixed rate (1,000, 2,500 and 5,000 msg/s, 2 s each); latency = arrival
//     at C - send at A (same clock, this process): p50 / p99 / max.
// Env: BENCH_MESSAGES (default 20000), BENCH_RUNS (default 3).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateIdentity } from '../dist/identity/identity.js';
import { TrustStore } from '../dist/identity/trust-store.js';
import { SwarmNode } from '../dist/net/swarm-node.js';
import { ChatHistory } from '../dist/chat/chat-history.js';
import { ChatSession } from '../dist/chat/chat-session.js';
import { rateLimits } from '../dist/chat/author-rate-limit.js';
import { untilChatReady } from './chat-ready.mjs';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CLI = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
const DEADLINE_MS = 60_000;
// This bench measures the pipeline at capacity from one author, which the per-author rate
// limit (20 msg/s by default) exists to stop: lift it here. chat-flood.bench.mjs measures it.
const UNLIMITED_ARGS = ['--author-rate', '1000000', '--author-bandwidth', '100G'];
const UNLIMITED = rateLimits(1_000_000, 100 * 1024 ** 3);

const homes = ['a', 'b', 'c'].map((name) => mkdtempSync(join(tmpdir(), `swarm-chat-bench-${name}-`)));
const identities = homes.map((home) => loadOrCreateIdentity(home));
for (const [i, home] of homes.entries()) {
  const store = TrustStore.load(home);
  for (const [j, other] of identities.entries()) if (i !== j) store.add(other.keyText, `n${j}`);
}

const children = [];
function cleanUp() {
  for (const child of children) child.kill('SIGKILL');
  for (const home of homes) rmSync(home, { recursive: true, force: true });
}
process.on('exit', cleanUp);

function startRelay() {
  const child = spawn(process.execPath, [...(process.env.BENCH_RELAY_NODE_ARGS ?? '').split(' ').filter(Boolean), CLI, 'chat', '--json', '--host', '127.0.0.1', '--port', '0', ...UNLIMITED_ARGS], {
    env: { ...process.env, SWARM_HOME: homes[1] },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  return untilChatReady(child);
}

async function startEnd(index, relayPort) {
  const home = homes[index];
  const identity = identities[index];
  const trust = TrustStore.load(home);
  const node = new SwarmNode({ identity, trust, host: '127.0.0.1', port: 0 });
  const history = ChatHistory.open(home);
  const session = new ChatSession({ identity, trust, node, history, peers: [{ host: '127.0.0.1', port: relayPort }], syncMaxAgeMs: 0, rateLimits: UNLIMITED });
  session.start();
  await node.listen();
  return { node, history, session };
}

function until(condition, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > DEADLINE_MS) {
        clearInterval(timer);
        reject(new Error(`timed out: ${what}`));
      }
    }, 2);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const relayPort = await startRelay();
const a = await startEnd(0, relayPort);
const c = await startEnd(2, relayPort);
await until(() => a.session.peers().length === 1 && c.session.peers().length === 1, 'links to the relay');

let sendTimes = new Map();
let arrivals = [];
c.session.on('message', (entry) => {
  const sentAt = sendTimes.get(entry.text);
  if (sentAt !== undefined) arrivals.push(performance.now() - sentAt);
});

let label = 0;
async function throughputRun() {
  sendTimes = new Map();
  arrivals = [];
  const prefix = `t${label++}-`;
  const started = performance.now();
  for (let sent = 0; sent < MESSAGES; ) {
    for (let i = 0; i < 100 && sent < MESSAGES; i++, sent++) {
      const text = `${prefix}${sent}`;
      sendTimes.set(text, performance.now());
      a.session.send(text);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await until(() => arrivals.length === MESSAGES, 'all messages at C');
  const elapsedS = (performance.now() - started) / 1000;
  return MESSAGES / elapsedS;
}

async function latencyRun(ratePerS, seconds) {
  sendTimes = new Map();
  arrivals = [];
  const prefix = `l${label++}-`;
  const total = ratePerS * seconds;
  const perTick = Math.max(1, Math.round(ratePerS / 500)); // a tick every 2 ms
  let sent = 0;
  const started = performance.now();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerS) + perTick);
    while (sent < due) {
      const text = `${prefix}${sent++}`;
      sendTimes.set(text, performance.now());
      a.session.send(text);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await until(() => arrivals.length === total, 'all paced messages at C');
  const sorted = [...arrivals].sort((x, y) => x - y);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

console.log(`chat A - B(relay process) - C, loopback; ${MESSAGES} messages per throughput run, ${RUNS} runs`);
console.log(`machine: ${cpus().length} cores, load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other work shares the cores)`);
await throughputRun(); // warm-up (JIT, key caches)
const rates = [];
for (let run = 0; run < RUNS; run++) {
  const rate = await throughputRun();
  rates.push(rate);
  console.log(`  throughput run ${run + 1}: ${Math.round(rate)} msg/s`);
}
rates.sort((x, y) => x - y);
console.log(`throughput: median ${Math.round(rates[Math.floor(rates.length / 2)])} msg/s (min ${Math.round(rates[0])}, max ${Math.round(rates[rates.length - 1])})`);
for (const rate of [1000, 2500, 5000]) {
  const { p50, p99, max } = await latencyRun(rate, 2);
  console.log(`latency at ${rate} msg/s: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms`);
}

// Let the relay exit by itself (SIGINT is its normal stop), so profilers can write out.
for (const child of children) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
}
await a.session.close();
await c.session.close();
await a.node.close();
await c.node.close();
a.history.close();
c.history.close();
process.exit(0);
