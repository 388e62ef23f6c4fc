// Recovery after an outage (issue 17): a 64 MiB `swarm get` through a userspace TCP relay
// (127.0.0.3 -> the sharer on 127.0.0.1) that is cut mid-transfer (its listener closed, so
// dials meet ECONNREFUSED, and every relayed connection destroyed) for each outage length,
// then restored. Reported per outage: ms from the path coming back to the getter's link
// being up again (its peer-connected event) and to transfer resuming (the first 256 KiB,
// one piece, relayed to the getter after the restore), plus the getter's exit code and
// whether it said it was waiting. Goal: resumed < 2 s after the path is back, any length.
//   npm run bench -- recovery
//   RECOVERY_OUTAGES_S=5,30,120,600 RECOVERY_MIB=64 node bench/recovery.bench.mjs
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { CLI, MiB, fileSha256, removeDir, startChild, startTwoUserShare } from './share-harness.mjs';

const OUTAGES_S = (process.env.RECOVERY_OUTAGES_S ?? '5,30,120').split(',').map(Number);
const SIZE_MIB = Number(process.env.RECOVERY_MIB ?? 64);
/** Upload cap on the sharer, so the transfer is still running when the cut comes. */
const UPLOAD_LIMIT = process.env.RECOVERY_UPLOAD_LIMIT ?? '4M';
const RELAY_HOST = '127.0.0.3';
const RESUMED_AFTER_BYTES = 256 * 1024;

/** A cuttable TCP relay: listen, pipe both ways, count bytes toward the getter since the last restore. */
class Relay {
  constructor(targetHost, targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.sockets = new Set();
    this.restoredAt = 0;
    this.bytesSinceRestore = 0;
    this.resumedAt = 0;
  }

  async open(port = 0) {
    this.server = createServer((inbound) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [inbound, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
      }
      upstream.on('data', (chunk) => {
        this.bytesSinceRestore += chunk.length;
        if (!this.resumedAt && this.restoredAt && this.bytesSinceRestore >= RESUMED_AFTER_BYTES) this.resumedAt = performance.now();
      });
      inbound.pipe(upstream).on('close', () => inbound.destroy());
      upstream.pipe(inbound).on('close', () => upstream.destroy());
      inbound.on('close', () => upstream.destroy());
      upstream.on('close', () => inbound.destroy());
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, RELAY_HOST, resolve);
    });
    this.port = this.server.address().port;
  }

  /** The path goes down: no new connections (ECONNREFUSED) and every live one cut. */
  async cut() {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async restore() {
    await this.open(this.port);
    this.restoredAt = performance.now();
    this.bytesSinceRestore = 0;
    this.resumedAt = 0;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const { bob, homes, dir, sourceHash, share, ready } = await startTwoUserShare(SIZE_MIB, UPLOAD_LIMIT);

async function run(outageS) {
  const relay = new Relay('127.0.0.1', ready.port);
  await relay.open();
  // The same link, pointed at the relay instead of the sharer (x.pe is a hint, x.key is checked).
  const magnet = ready.magnet.replace(/x\.pe=[^&]+/, `x.pe=${RELAY_HOST}%3A${relay.port}`);
  const out = join(dir, `out-${outageS}`);
  const get = startChild([CLI, 'get', magnet, '-o', out, '--host', '127.0.0.1', '--json'], { env: { ...process.env, SWARM_HOME: bob.home } });
  await get.waitFor((e) => e.event === 'progress' && e.verified >= (SIZE_MIB * MiB) / 4);
  await relay.cut();
  const cutAt = performance.now();
  const connectsBefore = connects(get).length;
  await sleep(outageS * 1000);
  await relay.restore();
  const restoredAt = relay.restoredAt;
  while (connects(get).length <= connectsBefore && get.child.exitCode === null) await sleep(10);
  const linkMs = get.startedAt + (connects(get)[connectsBefore]?.atMs ?? NaN) - restoredAt;
  while (!relay.resumedAt && get.child.exitCode === null) await sleep(10);
  const resumedMs = relay.resumedAt ? relay.resumedAt - restoredAt : NaN;
  const code = await get.exited;
  const waiting = get.events.filter((e) => e.event.event === 'waiting').length;
  const isSame = code === 0 && fileSha256(join(out, 'big.bin')) === sourceHash;
  await relay.cut();
  removeDir(out);
  return { outageS, actualOutageS: (restoredAt - cutAt) / 1000, linkMs, resumedMs, code, waiting, isSame };
}

const connects = (child) => child.events.filter((e) => e.event.event === 'peer-connected');

console.log(`${SIZE_MIB} MiB get through a relay cut at 25% verified; sharer upload capped at ${UPLOAD_LIMIT}/s`);
console.log('| outage | link back after (ms) | transfer resumed after (ms) | getter exit | waiting lines | file identical |');
console.log('|---|---|---|---|---|---|');
for (const outageS of OUTAGES_S) {
  const r = await run(outageS);
  console.log(`| ${r.actualOutageS.toFixed(1)} s | ${r.linkMs.toFixed(0)} | ${r.resumedMs.toFixed(0)} | ${r.code} | ${r.waiting} | ${r.isSame ? 'yes' : 'NO'} |`);
}
await share.kill('SIGINT');
removeDir(dir);
removeDir(homes);
