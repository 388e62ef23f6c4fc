// Per-message breakdown for bench/handshake-forged.bench.mjs: what a node does for one forged
// message 1 beyond what the "hold" server does, measured in this process on pre-read buffers
// (no TCP, so no kernel noise): the mac1 check alone, getpeername (on real loopback sockets:
// a syscall, which no stand-in can imitate), and the node's whole accept path (accept, one
// 'data' with the 307 bytes, 'close') on stand-in sockets minus the same for "hold"'s two
// listeners. Each figure is the median of BENCH_MICRO_RUNS runs over `count` messages.
import { EventEmitter } from 'node:events';
import { connect, createServer } from 'node:net';
import { randomBytes } from 'node:crypto';

const RUNS = Number(process.env.BENCH_MICRO_RUNS ?? 7);

/** A stand-in for an accepted net.Socket: the members the accept path touches, nothing else. */
class StandInSocket extends EventEmitter {
  constructor(index) {
    super();
    this.remoteAddress = `127.1.0.${1 + (index % 64)}`;
    this.remotePort = 40000 + (index % 20000);
    this.bytesRead = 0;
    this.destroyed = false;
  }
  pause() {}
  resume() {}
  setNoDelay() {}
  setKeepAlive() {}
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

function cpuMsOf(fn) {
  globalThis.gc?.();
  const before = process.cpuUsage();
  fn();
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000;
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

function medianCpuMs(fn) {
  fn(); // warm-up: optimised code and grown maps in every measured run
  return median(Array.from({ length: RUNS }, () => cpuMsOf(fn)));
}

/** getpeername on `count` calls over 64 real loopback sockets (node caches the answer, so the cache is cleared first). */
async function getpeernameMs(count) {
  const server = createServer();
  const accepted = [];
  server.on('connection', (socket) => accepted.push(socket));
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const clients = Array.from({ length: 64 }, () => connect(server.address().port, '127.0.0.1'));
  while (accepted.length < 64) await new Promise((done) => setTimeout(done, 5));
  const ms = medianCpuMs(() => {
    for (let i = 0; i < count; i++) {
      const socket = accepted[i % 64];
      socket._peername = undefined;
      if (socket.remoteAddress === undefined) throw new Error('no peer address');
    }
  });
  for (const socket of [...clients, ...accepted]) socket.destroy();
  server.close();
  return ms;
}

export async function breakdown({ dist, count, marker, messageBytes }) {
  const { createIdentity } = await import(dist + 'identity/identity.js');
  const { SwarmNode } = await import(dist + 'net/swarm-node.js');
  const { mac1Checker } = await import(dist + 'secure/handshake-macs.js');
  const identity = createIdentity();
  const messages = Array.from({ length: count }, () => Buffer.concat([marker, randomBytes(messageBytes - marker.length)]));
  const check = mac1Checker(identity.publicKey);
  const mac1Ms = medianCpuMs(() => {
    let passed = 0;
    for (const message of messages) if (check(message)) passed++;
    if (passed !== 0) throw new Error('a forged mac1 passed');
  });
  const peernameMs = await getpeernameMs(count);
  const node = new SwarmNode({ identity, trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
  node.handle('chat', () => {});
  // The listener's callback (swarm-node.ts listen()): net/inbound-gate.ts accept(), or SwarmNode.accept() before it existed.
  const accept = node['inbound'] ? (socket) => node['inbound'].accept(socket) : (socket) => node['accept'](socket);
  const ignore = () => {};
  const holdMs = medianCpuMs(() => {
    for (let i = 0; i < count; i++) {
      const socket = new StandInSocket(i);
      socket.on('error', ignore);
      socket.on('data', ignore);
      socket.emit('data', messages[i]);
      socket.destroy();
    }
  });
  const swarmMs = medianCpuMs(() => {
    for (let i = 0; i < count; i++) {
      const socket = new StandInSocket(i);
      accept(socket);
      socket.bytesRead = messages[i].length;
      socket.emit('data', messages[i]);
      socket.destroy();
    }
  });
  const counts = Object.fromEntries(node.refusalCounts);
  await node.close();
  return { mac1Ms, peernameMs, holdMs, swarmMs, counts };
}
