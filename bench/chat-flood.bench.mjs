#!/usr/bin/env node
// Chat under a flood from a trusted author (npm run bench -- chat-flood), with the default
// limits of `swarm chat` (20 msg/s and 64 KiB/s per author, 64 MiB history).
//  1. Start time with a full history: a 64 MiB chat-history.jsonl (a) of 8 KiB messages,
//     (b) of short messages; time from spawning `swarm chat --json` to its ready event, and
//     its peak RSS (VmHWM) then.
//  2. Honest delay during a flood: V is a real `swarm chat` process; H and R are
//     ChatSessions in this process, both linked to V; F, in a worker thread with its own
//     SwarmNode, writes pre-signed 8 KiB messages to V as fast as the link takes them for
//     FLOOD_SECONDS. H sends HONEST_RATE msg/s; delay = arrival at R - send at H (same
//     clock), p50 / p99 / max, without and with the flood.
// Env: BENCH_FLOOD_SECONDS (default 10), BENCH_HONEST_RATE (default 40).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, statSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { loadOrCreateIdentity } from '../dist/identity/identity.js';
import { TrustStore } from '../dist/identity/trust-store.js';
import { SwarmNode } from '../dist/net/swarm-node.js';
import { ChatHistory } from '../dist/chat/chat-history.js';
import { ChatSession } from '../dist/chat/chat-session.js';
import { MessageKind, signMessage } from '../dist/chat/chat-message.js';
import { encodeMessageRecord } from '../dist/chat/chat-record-codec.js';
import { encodeKeyText } from '../dist/identity/key-text.js';
import { untilChatReady } from './chat-ready.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 10);
const HONEST_RATE = Number(process.env.BENCH_HONEST_RATE ?? 40);
const HISTORY_BYTES = 64 * 1024 * 1024;

if (!isMainThread) await flooder(workerData);
else await main();

/** Worker: F's node, one chat link to V, pre-signed 8 KiB messages written with backpressure. */
async function flooder({ home, port, seconds }) {
  const identity = loadOrCreateIdentity(home);
  const node = new SwarmNode({ identity, trust: TrustStore.load(home), host: '127.0.0.1', port: 0 });
  node.handle('chat', () => true);
  const link = await node.connect('127.0.0.1', port, 'chat');
  link.stream.on('data', () => {});
  link.stream.on('error', () => {});
  const body = new Uint8Array(8192).fill(0x46);
  const records = [];
  const firstSeq = Date.now() * 1000;
  for (let i = 0; i < 4000; i++) {
    records.push(Buffer.from(encodeMessageRecord(8, signMessage({ author: identity.publicKey, seq: firstSeq + i, ts: Date.now(), kind: MessageKind.Public, body }, identity.secretKey).encoded)));
  }
  parentPort.postMessage({ ready: true });
  await new Promise((resolve) => parentPort.once('message', resolve));
  const endAt = Date.now() + seconds * 1000;
  let sent = 0;
  let bytes = 0;
  let next = 0;
  while (Date.now() < endAt && next < records.length) {
    const record = records[next++];
    sent++;
    bytes += record.length;
    if (link.stream.write(record) === false) {
      await new Promise((resolve) => {
        link.stream.once('drain', resolve);
        setTimeout(resolve, Math.max(0, endAt - Date.now()));
      });
    }
    // Out of pre-signed messages: sign more as it goes (still far above any limit).
    if (next === records.length && Date.now() < endAt) {
      for (let i = 0; i < 1000; i++) {
        records.push(Buffer.from(encodeMessageRecord(8, signMessage({ author: identity.publicKey, seq: firstSeq + records.length, ts: Date.now(), kind: MessageKind.Public, body }, identity.secretKey).encoded)));
      }
    }
  }
  parentPort.postMessage({ sent, bytes });
  await node.close();
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function homesFor(names) {
  const homes = Object.fromEntries(names.map((name) => [name, mkdtempSync(join(tmpdir(), `swarm-flood-bench-${name}-`))]));
  const ids = Object.fromEntries(names.map((name) => [name, loadOrCreateIdentity(homes[name])]));
  for (const name of names) {
    const store = TrustStore.load(homes[name]);
    for (const other of names) if (other !== name) store.add(ids[other].keyText, other);
  }
  return { homes, ids };
}

function startChatProcess(home, extraArgs = []) {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'chat', '--json', '--host', '127.0.0.1', '--port', '0', ...extraArgs], { env: { ...process.env, SWARM_HOME: home }, stdio: ['pipe', 'pipe', 'inherit'] });
  return untilChatReady(child).then((port) => {
    const readyMs = performance.now() - started;
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const peakRssKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { child, port, readyMs, peakRssKiB };
  });
}

async function stopChild(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
}

/** Writes a history file of about `bytes` of genuine signed lines from `authors`. */
function writeHistory(home, authors, bodyBytes, bytes) {
  const fd = openSync(join(home, 'chat-history.jsonl'), 'w', 0o600);
  const body = new Uint8Array(bodyBytes).fill(0x68);
  let written = 0;
  let lines = 0;
  const now = Date.now();
  for (let i = 0; written < bytes; i++) {
    const author = authors[i % authors.length];
    const message = signMessage({ author: author.publicKey, seq: 1000 + i, ts: now - 3_600_000 + i, kind: MessageKind.Public, body }, author.secretKey);
    const line = `${JSON.stringify({ id: message.id, from: encodeKeyText(author.publicKey), seq: message.seq, ts: message.ts, kind: 'public', msg: Buffer.from(message.encoded).toString('base64') })}\n`;
    written += writeSync(fd, line);
    lines++;
  }
  closeSync(fd);
  return lines;
}

async function startTimes(lines) {
  const { homes, ids } = homesFor(['v', 'x', 'y']);
  for (const [label, bodyBytes] of [['8 KiB messages', 8192], ['short messages (40 B)', 40]]) {
    const count = writeHistory(homes.v, [ids.x, ids.y], bodyBytes, HISTORY_BYTES - 16 * 1024);
    const size = statSync(join(homes.v, 'chat-history.jsonl')).size;
    const runs = [];
    for (let run = 0; run < 3; run++) {
      const { child, readyMs, peakRssKiB } = await startChatProcess(homes.v);
      runs.push({ readyMs, peakRssKiB });
      await stopChild(child);
    }
    runs.sort((a, b) => a.readyMs - b.readyMs);
    const median = runs[1];
    lines.push(`start with a full history, ${label}: ${(size / 1024 / 1024).toFixed(1)} MiB, ${count} lines: ready in ${median.readyMs.toFixed(0)} ms (median of 3; ${runs.map((r) => r.readyMs.toFixed(0)).join(', ')}), peak RSS ${(median.peakRssKiB / 1024).toFixed(0)} MiB`);
    console.log(lines.at(-1));
  }
  const { child, readyMs, peakRssKiB } = await startChatProcess(mkdtempSync(join(tmpdir(), 'swarm-flood-bench-empty-')));
  await stopChild(child);
  lines.push(`start with no history (for comparison): ready in ${readyMs.toFixed(0)} ms, peak RSS ${(peakRssKiB / 1024).toFixed(0)} MiB`);
  console.log(lines.at(-1));
  for (const home of Object.values(homes)) rmSync(home, { recursive: true, force: true });
}

async function honestDelay() {
  const { homes, ids } = homesFor(['v', 'h', 'r', 'f']);
  const v = await startChatProcess(homes.v);
  const session = async (name) => {
    const trust = TrustStore.load(homes[name]);
    const node = new SwarmNode({ identity: ids[name], trust, host: '127.0.0.1', port: 0 });
    const history = ChatHistory.open(homes[name]);
    const chat = new ChatSession({ identity: ids[name], trust, node, history, peers: [{ host: '127.0.0.1', port: v.port }], syncMaxAgeMs: 0 });
    chat.start();
    await node.listen();
    return { node, history, chat };
  };
  const h = await session('h');
  const r = await session('r');
  while (h.chat.peers().length === 0 || r.chat.peers().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const sendTimes = new Map();
  let delays = [];
  let floodAtR = 0;
  r.chat.on('message', (entry) => {
    const sentAt = sendTimes.get(entry.text);
    if (sentAt !== undefined) delays.push(performance.now() - sentAt);
    else if (entry.name === 'f') floodAtR++;
  });
  let label = 0;
  const honestRun = async (seconds) => {
    delays = [];
    const total = Math.round(HONEST_RATE * seconds);
    const started = performance.now();
    for (let sent = 0; sent < total; sent++) {
      const dueMs = (sent / HONEST_RATE) * 1000;
      const waitMs = dueMs - (performance.now() - started);
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const text = `honest ${label++}`;
      sendTimes.set(text, performance.now());
      h.chat.send(text);
    }
    const deadline = Date.now() + 30_000;
    while (delays.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const sorted = [...delays].sort((a, b) => a - b);
    return { received: delays.length, total, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) };
  };
  const report = (what, result) => `${what}: ${result.received}/${result.total} honest messages, delay p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms`;
  const lines = [];
  const quiet = await honestRun(Math.min(5, FLOOD_SECONDS));
  lines.push(report(`no flood, H at ${HONEST_RATE} msg/s`, quiet));
  console.log(lines.at(-1));

  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { home: homes.f, port: v.port, seconds: FLOOD_SECONDS } });
  await new Promise((resolve) => worker.once('message', resolve));
  const floodDone = new Promise((resolve) => worker.once('message', resolve));
  worker.postMessage('go');
  const flooded = await honestRun(FLOOD_SECONDS);
  const flood = await floodDone;
  lines.push(report(`during a flood of 8 KiB messages from trusted F`, flooded));
  console.log(lines.at(-1));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const historyBytes = statSync(join(homes.v, 'chat-history.jsonl')).size;
  lines.push(`flood: F wrote ${flood.sent} messages (${(flood.bytes / 1024 / 1024).toFixed(1)} MiB, ${(flood.bytes / 1024 / 1024 / FLOOD_SECONDS).toFixed(1)} MiB/s) to V in ${FLOOD_SECONDS} s; V relayed ${floodAtR} of them to R; V's history ${(historyBytes / 1024 / 1024).toFixed(2)} MiB`);
  console.log(lines.at(-1));
  await worker.terminate();
  await stopChild(v.child);
  for (const s of [h, r]) {
    await s.chat.close();
    await s.node.close();
    s.history.close();
  }
  for (const home of Object.values(homes)) rmSync(home, { recursive: true, force: true });
  return lines;
}

async function main() {
  console.log(`chat under a flood; machine: ${cpus().length} cores, load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await startTimes([]);
  await honestDelay();
  process.exit(0);
}
