#!/usr/bin/env node
// Pairing benchmarks (npm run bench -- pair):
//  1. The CPace work of one pairing, both sides in this process: hello, reply, both ISKs
//     (two generators by hash-to-group, four scalar multiplications on ristretto255).
//  2. The whole exchange over TCP on 127.0.0.1, both sides in this process: CPace, sealed
//     proofs with Ed25519 signatures, words, both confirmations (answered at once).
// People take seconds to read a code; these numbers say what the machine adds to that.
// Env: BENCH_PAIRS (default 200).
import { connect, createServer } from 'node:net';
import { generateSigningKeyPair } from '../dist/crypto/ed25519.js';
import { pairAsInitiator, pairAsResponder } from '../dist/net/pairing-exchange.js';
import { HandshakeReader } from '../dist/secure/handshake-reader.js';
import { generatePairingCode } from '../dist/secure/pairing-code.js';
import { answerHello, beginInitiator, decodeHello, HELLO_BYTES } from '../dist/secure/pairing-protocol.js';

const pairs = Number(process.env.BENCH_PAIRS ?? 200);
const alice = generateSigningKeyPair();
const bob = generateSigningKeyPair();

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(label, samplesMs) {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mean = samplesMs.reduce((sum, x) => sum + x, 0) / samplesMs.length;
  console.log(`${label}: ${samplesMs.length} runs, mean ${mean.toFixed(2)} ms, p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`);
}

// 1. CPace only.
const cpaceMs = [];
for (let i = 0; i < pairs; i++) {
  const code = generatePairingCode();
  const started = performance.now();
  const start = beginInitiator(code);
  const answer = answerHello(code, decodeHello(start.hello));
  const session = start.finish(answer.reply);
  cpaceMs.push(performance.now() - started);
  if (!session || Buffer.compare(session.isk, answer.session.isk) !== 0) throw new Error('CPace sides disagree');
}
summary('CPace, both sides (one core)', cpaceMs);

// 2. The whole exchange over loopback TCP.
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const exchangeMs = [];
for (let i = 0; i < pairs; i++) {
  const code = generatePairingCode();
  const common = { code, confirm: async () => true, deadline: Date.now() + 30_000, timeoutMs: 30_000 };
  const accepted = new Promise((resolve) => server.once('connection', resolve));
  const started = performance.now();
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  const responder = accepted.then(async (raw) => {
    const reader = new HandshakeReader(raw);
    const hello = decodeHello(await reader.readExactly(HELLO_BYTES));
    return pairAsResponder(raw, reader, hello, { ...common, identity: bob });
  });
  const [fromAlice, fromBob] = await Promise.all([pairAsInitiator(socket, { ...common, identity: alice }), responder]);
  exchangeMs.push(performance.now() - started);
  if (fromAlice.words.join() !== fromBob.words.join()) throw new Error('words differ');
}
server.close();
summary('whole exchange over TCP, both sides (one core)', exchangeMs);
