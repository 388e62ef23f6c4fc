#!/usr/bin/env node
// Secure channel benchmarks (npm run bench -- channel):
//  1. Loopback throughput, same run: a raw TCP copy vs the same bytes through SwarmNode's
//     secure channel (Noise transport frames, chacha20-poly1305). Two layouts, each measured
//     for raw and secure alike: sender in a child process (each end has its own core; the
//     machine has two), and both ends in this process (one core does everything).
//  2. Complete handshakes per second on one core: secureOutbound + secureInbound over an
//     in-memory duplex pair, sequentially in this process (both sides' work on one core).
//  3. A listening node's cost per handshake over TCP: a child process dials BENCH_HANDSHAKES
//     connections (preamble to ACCEPT, then close); this process's CPU time (user + system)
//     per accepted handshake gives handshakes per CPU-second for one node.
// Env: BENCH_MIB (default 256), BENCH_RUNS (default 3), BENCH_HANDSHAKES (default 2000).
import { fork } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { createServer } from 'node:net';
import { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createIdentity } from '../dist/identity/identity.js';
import { SwarmNode } from '../dist/net/swarm-node.js';
import { secureInbound, secureOutbound } from '../dist/secure/establish-channel.js';
import { clearVerifiedPayloadCache } from '../dist/secure/handshake-payload.js';

const MIB = 1024 * 1024;
const totalBytes = Number(process.env.BENCH_MIB ?? 256) * MIB;
const runs = Number(process.env.BENCH_RUNS ?? 3);
const handshakeCount = Number(process.env.BENCH_HANDSHAKES ?? 2000);
const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

const trustAll = { allows: () => true };
const toHex = (identity) => Object.fromEntries(Object.entries(identity).map(([k, v]) => [k, typeof v === 'string' ? v : Buffer.from(v).toString('hex')]));
const fromHex = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === 'keyText' ? v : new Uint8Array(Buffer.from(v, 'hex'))]));

/** Child: connect and write totalBytes as fast as the stream accepts them. */
async function sender() {
  const { mode, port, identity, peerKey } = JSON.parse(process.argv[3]);
  if (mode === 'dial') await dialMany(port, identity, peerKey);
  else await send(mode, port, identity, peerKey);
  process.exit(0);
}

/** JIT warm-up for the listening side, so the measured runs are not paying for compilation. */
async function dialWarmUp() {
  const listenerIdentity = createIdentity();
  const listener = new SwarmNode({ identity: listenerIdentity, trust: trustAll, host: '127.0.0.1', port: 0, maxLinksPerPeer: 1e6 });
  listener.handle('chat', () => {});
  const { port } = await listener.listen();
  const dialer = new SwarmNode({ identity: createIdentity(), trust: trustAll });
  for (let i = 0; i < 300; i++) (await dialer.connect('127.0.0.1', port, 'chat', { expectedKey: listenerIdentity.publicKey })).close();
  await Promise.all([listener.close(), dialer.close()]);
}

// Handshake v2 is addressed to a key: every dial names the listener's.
async function dialMany(port, identity, peerKey) {
  const node = new SwarmNode({ identity: fromHex(identity), trust: trustAll });
  const expectedKey = Buffer.from(peerKey, 'hex');
  for (let i = 0; i < handshakeCount; i++) (await node.connect('127.0.0.1', port, 'chat', { expectedKey })).close();
}

async function responderCost() {
  await dialWarmUp();
  const nodeIdentity = createIdentity();
  const node = new SwarmNode({ identity: nodeIdentity, trust: trustAll, host: '127.0.0.1', port: 0, maxLinksPerPeer: handshakeCount });
  let accepted = 0;
  node.handle('chat', () => void accepted++);
  const { port } = await node.listen();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await startSender('dial', port, toHex(createIdentity()), false, Buffer.from(nodeIdentity.publicKey).toString('hex'));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  await node.close();
  return { perCpuSecond: accepted / ((cpu.user + cpu.system) / 1e6), perSecond: accepted / seconds };
}

async function send(mode, port, identity, peerKey) {
  let stream;
  if (mode === 'raw') {
    const { connect } = await import('node:net');
    stream = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => stream.once('connect', resolve));
  } else {
    const node = new SwarmNode({ identity: fromHex(identity), trust: trustAll });
    stream = (await node.connect('127.0.0.1', port, 'chat', { expectedKey: Buffer.from(peerKey, 'hex') })).stream;
  }
  let sent = 0;
  while (sent < totalBytes) {
    sent += CHUNK.length;
    if (!stream.write(CHUNK)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await new Promise((resolve) => stream.once('close', resolve));
}

/** Runs the sender in a child process, or here when `isInProcess`; resolves when it is done. */
function startSender(mode, port, identity, isInProcess, peerKey) {
  if (isInProcess) return send(mode, port, identity, peerKey);
  const child = fork(fileURLToPath(import.meta.url), ['sender', JSON.stringify({ mode, port, identity, peerKey })], { stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', resolve));
}

/** Receives totalBytes; returns MB/s from the first byte to the last. */
function receive(stream) {
  return new Promise((resolve, reject) => {
    let received = 0;
    let started = 0;
    stream.on('data', (chunk) => {
      if (started === 0) started = performance.now();
      received += chunk.length;
      if (received >= totalBytes) {
        resolve(received / MIB / ((performance.now() - started) / 1000));
        stream.end();
      }
    });
    stream.on('error', reject);
  });
}

async function rawRun(isInProcess) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const done = new Promise((resolve) => server.once('connection', (socket) => resolve(receive(socket))));
  const sent = startSender('raw', server.address().port, undefined, isInProcess);
  const mbps = await done;
  await sent;
  server.close();
  return mbps;
}

async function secureRun(isInProcess) {
  const receiver = createIdentity();
  const node = new SwarmNode({ identity: receiver, trust: trustAll, host: '127.0.0.1', port: 0 });
  const done = new Promise((resolve) => node.handle('chat', (link) => void resolve(receive(link.stream))));
  const { port } = await node.listen();
  const sent = startSender('secure', port, toHex(createIdentity()), isInProcess, Buffer.from(receiver.publicKey).toString('hex'));
  const mbps = await done;
  await sent;
  await node.close();
  return mbps;
}

function duplexPair() {
  const sides = [];
  const make = (i) => new Duplex({ read() {}, write(chunk, _e, cb) { sides[1 - i].push(chunk); cb(); }, final(cb) { sides[1 - i].push(null); cb(); } });
  sides.push(make(0), make(1));
  return sides;
}

async function handshakesPerSecond(isCached) {
  const identities = Array.from({ length: 50 }, () => createIdentity());
  const started = performance.now();
  for (let i = 0; i < handshakeCount; i++) {
    if (!isCached) clearVerifiedPayloadCache();
    const [a, b] = duplexPair();
    const [client, server] = await Promise.all([
      secureOutbound(a, { identity: identities[i % 50], allows: () => true, channel: 'chat', expectedKey: identities[(i + 1) % 50].publicKey }),
      secureInbound(b, { identity: identities[(i + 1) % 50], allows: () => true, decideChannel: () => null }),
    ]);
    client.close();
    server.close();
  }
  return handshakeCount / ((performance.now() - started) / 1000);
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

async function main() {
  console.log(`chacha20-poly1305 alone on one core at the start: ${chachaMegabytesPerSecond().toFixed(0)} MB/s (the ceiling for each of encrypt and decrypt)`);
  for (const isInProcess of [false, true]) {
    const layout = isInProcess ? 'both ends in one process (one core)' : 'sender in a child process (a core per end)';
    console.log(`throughput, ${totalBytes / MIB} MiB over loopback, ${runs} runs each, ${layout}`);
    const raw = [];
    const secure = [];
    for (let run = 0; run < runs; run++) {
      raw.push(await rawRun(isInProcess));
      secure.push(await secureRun(isInProcess));
      console.log(`  run ${run + 1}: raw TCP ${raw[run].toFixed(0)} MB/s, secure ${secure[run].toFixed(0)} MB/s`);
    }
    const ratio = median(secure) / median(raw);
    console.log(`  median: raw TCP ${median(raw).toFixed(0)} MB/s, secure ${median(secure).toFixed(0)} MB/s, ratio ${(ratio * 100).toFixed(0)}% (bar: >= 50%)`);
  }
  for (const isCached of [false, true]) {
    await handshakesPerSecond(isCached); // warm-up
    const rates = [];
    for (let run = 0; run < runs; run++) rates.push(await handshakesPerSecond(isCached));
    console.log(`handshakes/s on one core (${handshakeCount} sequential, both sides in this process, in memory, ${isCached ? 'identity verification cached' : 'every signature verified'}): median ${median(rates).toFixed(0)} [${rates.map((r) => r.toFixed(0)).join(', ')}] (bar: >= 1000)`);
  }
  const costs = [];
  for (let run = 0; run < runs; run++) costs.push(await responderCost());
  console.log(`listening node over TCP (${handshakeCount} handshakes dialled by a child process): median ${median(costs.map((c) => c.perCpuSecond)).toFixed(0)} handshakes per CPU-second of the node [${costs.map((c) => c.perCpuSecond.toFixed(0)).join(', ')}], wall clock ${median(costs.map((c) => c.perSecond)).toFixed(0)}/s (bar: >= 1000)`);
  console.log(`chacha20-poly1305 alone on one core at the end: ${chachaMegabytesPerSecond().toFixed(0)} MB/s`);
}

function chachaMegabytesPerSecond() {
  const key = Buffer.alloc(32, 1);
  const nonce = Buffer.alloc(12);
  const started = performance.now();
  for (let i = 0; i < 2000; i++) {
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    cipher.update(CHUNK);
    cipher.final();
  }
  return (2000 * CHUNK.length) / MIB / ((performance.now() - started) / 1000);
}

if (process.argv[2] === 'sender') await sender();
else await main();
