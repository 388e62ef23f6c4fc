#!/usr/bin/env node
// Handshake v2 benchmarks (npm run bench -- handshake-v2), issue 14:
//  1. Complete handshakes per second with both ends in this process (one core): secureOutbound
//     + secureInbound over an in-memory duplex pair, sequentially (bar: >= 1,200/s).
//  2. CPU a responder spends on 10,000 forged message 1s (random bytes after the v2 marker:
//     the forger does not know the key), through the real secureInbound path over in-memory
//     duplexes, and the Diffie-Hellman operations they cost (bar: < 50 ms in total, 0 DH).
//  3. Connect-to-first-byte: from calling SwarmNode.connect to the first application byte the
//     responder sends once the channel is open, directly on loopback and through a relay that
//     delays each direction by BENCH_DELAY_MS (default 10 ms, a 20 ms round trip), so the
//     number of round trips shows. Run it against an older build to compare:
//       BENCH_DIST=/path/to/v1/dist node bench/handshake-v2.bench.mjs
// Env: BENCH_DIST (default ../dist), BENCH_HANDSHAKES (2000), BENCH_FORGED (10000),
//      BENCH_SAMPLES (40), BENCH_DELAY_MS (10), BENCH_RUNS (3).
import { createServer, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = process.env.BENCH_DIST ? pathToFileURL(resolve(process.env.BENCH_DIST)).href + '/' : new URL('../dist/', import.meta.url).href;
const { createIdentity } = await import(dist + 'identity/identity.js');
const { SwarmNode } = await import(dist + 'net/swarm-node.js');
const { secureInbound, secureOutbound } = await import(dist + 'secure/establish-channel.js');
const wire = await import(dist + 'secure/handshake-wire.js').catch(() => undefined);
const noiseDh = await import(dist + 'crypto/noise-dh.js');
const macs = await import(dist + 'secure/handshake-macs.js').catch(() => undefined);
const version = wire ? 'v2' : 'v1';

const handshakeCount = Number(process.env.BENCH_HANDSHAKES ?? 2000);
const forgedCount = Number(process.env.BENCH_FORGED ?? 10_000);
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

async function handshakesPerSecond() {
  const identities = Array.from({ length: 50 }, () => createIdentity());
  const started = performance.now();
  for (let i = 0; i < handshakeCount; i++) {
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

/** Just the checks a forged message 1 gets (marker, mac1): what it costs in cryptography. */
function forgedCheckCost(identity, messages) {
  const cpuBefore = process.cpuUsage();
  let valid = 0;
  for (const message of messages) if (message.subarray(0, 6).equals(wire.V2_MARKER) && macs.hasValidMac1(message, identity.publicKey)) valid++;
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000, valid };
}

async function forgedCost() {
  const identity = createIdentity();
  const messages = Array.from({ length: forgedCount }, () => Buffer.concat([wire.V2_MARKER, randomBytes(wire.MESSAGE1_BYTES - wire.V2_MARKER.length)]));
  forgedCheckCost(identity, messages); // warm-up
  const check = forgedCheckCost(identity, messages);
  const dhBefore = noiseDh.dhCounter.calls;
  let answered = 0;
  const cpuBefore = process.cpuUsage();
  const settled = [];
  for (const message of messages) {
    const [client, server] = duplexPair();
    client.on('data', () => answered++);
    settled.push(secureInbound(server, { identity, allows: () => true, decideChannel: () => null, handshakeTimeoutMs: 60_000 }).catch((error) => error.code));
    client.write(message);
  }
  const codes = await Promise.all(settled);
  const cpu = process.cpuUsage(cpuBefore);
  return { check, cpuMs: (cpu.user + cpu.system) / 1000, dh: noiseDh.dhCounter.calls - dhBefore, answered, refusedAsBadMac1: codes.filter((code) => code === 'BAD_MAC1').length };
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
  const rates = [];
  await handshakesPerSecond(); // warm-up
  for (let run = 0; run < runs; run++) rates.push(await handshakesPerSecond());
  console.log(`handshakes/s, both ends on one core (${handshakeCount} sequential, in memory): median ${median(rates).toFixed(0)} [${rates.map((r) => r.toFixed(0)).join(', ')}] (bar: >= 1200)`);

  if (wire && noiseDh.dhCounter) {
    await forgedCost(); // warm-up
    const cost = await forgedCost();
    console.log(`${forgedCount} forged message 1s, marker and mac1 checks alone: ${cost.check.cpuMs.toFixed(1)} ms CPU in total (${((cost.check.cpuMs * 1000) / forgedCount).toFixed(2)} us each), ${cost.check.valid} passed (bar: < 50 ms)`);
    console.log(`${forgedCount} forged message 1s (wrong mac1) through secureInbound: ${cost.cpuMs.toFixed(1)} ms CPU in total (${((cost.cpuMs * 1000) / forgedCount).toFixed(2)} us each, in-memory duplexes included), ${cost.dh} DH operations, ${cost.answered} bytes answered, ${cost.refusedAsBadMac1} refused as BAD_MAC1 (0 DH)`);
  }

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
