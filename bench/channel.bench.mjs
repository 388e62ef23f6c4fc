#!/usr/bin/env node
// Secure channel benchmarks (npm run bench -- channel):
//  1. Loopback throughput, same run: a raw TCP copy vs the same bytes through SwarmNode's
//     secure channel (Noise transport frames, chacha20-poly1305). Sender in a child process,
//     receiver in this one, so each end has its own core (the machine has two).
//  2. Complete handshakes per second on one core: secureOutbound + secureInbound over an
//     in-memory duplex pair, sequentially in this process (both sides' work on one core).
// Env: BENCH_MIB (default 256), BENCH_RUNS (default 3), BENCH_HANDSHAKES (default 2000).
import { fork } from 'node:child_process';
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
  const { mode, port, identity } = JSON.parse(process.argv[3]);
  let stream;
  if (mode === 'raw') {
    const { connect } = await import('node:net');
    stream = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => stream.once('connect', resolve));
  } else {
    const node = new SwarmNode({ identity: fromHex(identity), trust: trustAll });
    stream = (await node.connect('127.0.0.1', port, 'chat')).stream;
  }
  let sent = 0;
  while (sent < totalBytes) {
    sent += CHUNK.length;
    if (!stream.write(CHUNK)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await new Promise((resolve) => stream.once('close', resolve));
  process.exit(0);
}

function startSender(mode, port, identity) {
  const child = fork(fileURLToPath(import.meta.url), ['sender', JSON.stringify({ mode, port, identity })], { stdio: 'inherit' });
  return child;
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

async function rawRun() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const done = new Promise((resolve) => server.once('connection', (socket) => resolve(receive(socket))));
  const child = startSender('raw', server.address().port);
  const mbps = await done;
  await new Promise((resolve) => child.once('exit', resolve));
  server.close();
  return mbps;
}

async function secureRun() {
  const receiver = createIdentity();
  const node = new SwarmNode({ identity: receiver, trust: trustAll, host: '127.0.0.1', port: 0 });
  const done = new Promise((resolve) => node.handle('chat', (link) => void resolve(receive(link.stream))));
  const { port } = await node.listen();
  const child = startSender('secure', port, toHex(createIdentity()));
  const mbps = await done;
  await new Promise((resolve) => child.once('exit', resolve));
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
      secureOutbound(a, { identity: identities[i % 50], allows: () => true, channel: 'chat' }),
      secureInbound(b, { identity: identities[(i + 1) % 50], allows: () => true, decideChannel: () => null }),
    ]);
    client.close();
    server.close();
  }
  return handshakeCount / ((performance.now() - started) / 1000);
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

async function main() {
  console.log(`secure channel throughput: ${totalBytes / MIB} MiB over loopback, ${runs} runs each, sender in a child process`);
  const raw = [];
  const secure = [];
  for (let run = 0; run < runs; run++) {
    raw.push(await rawRun());
    secure.push(await secureRun());
    console.log(`  run ${run + 1}: raw TCP ${raw[run].toFixed(0)} MB/s, secure ${secure[run].toFixed(0)} MB/s`);
  }
  const ratio = median(secure) / median(raw);
  console.log(`  median: raw TCP ${median(raw).toFixed(0)} MB/s, secure ${median(secure).toFixed(0)} MB/s, ratio ${(ratio * 100).toFixed(0)}% (bar: >= 50%)`);
  for (const isCached of [false, true]) {
    await handshakesPerSecond(isCached); // warm-up
    const rates = [];
    for (let run = 0; run < runs; run++) rates.push(await handshakesPerSecond(isCached));
    console.log(`handshakes/s on one core (${handshakeCount} sequential, in memory, ${isCached ? 'identity verification cached' : 'every signature verified'}): median ${median(rates).toFixed(0)} [${rates.map((r) => r.toFixed(0)).join(', ')}] (bar: >= 1000)`);
  }
}

if (process.argv[2] === 'sender') await sender();
else await main();
