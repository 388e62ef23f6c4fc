// Benchmark: a sharer under request flooders (issue 9). Four trusted peers open the torrent
// channel (real secure links, dist/net), send `interested`, and once unchoked send 100,000
// `request`s of 128 KiB each without ever reading. Measured on the sharer (`swarm share`)
// and on a getter that seeds (`swarm get --seed`, the original sharer gone): its RSS idle,
// peak while flooded, and 5 s after the flooders left; and an honest `swarm get`'s speed
// from it unloaded and while the flood starts (after one unmeasured warm-up get). Goals: peak < 250 MiB, loaded speed >= 50 %.
// SHARE_BENCH_MIB (default 1024), FLOOD_PEERS (4), FLOOD_REQUESTS (100000) override.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, MiB, makeUsers, mbps, randomFile, removeDir, startChild, tempDir } from './share-harness.mjs';

const SIZE = Number(process.env.SHARE_BENCH_MIB ?? 1024) * MiB;
const FLOODERS = Number(process.env.FLOOD_PEERS ?? 4);
const REQUESTS = Number(process.env.FLOOD_REQUESTS ?? 100_000);
const BLOCK_BYTES = 128 * 1024;
const SETTLE_MS = 5000;

const { SwarmNode } = await import('../dist/net/swarm-node.js');
const { loadOrCreateIdentity } = await import('../dist/identity/identity.js');
const { decodeKeyText } = await import('../dist/identity/key-text.js');
const { torrentChannel } = await import('../dist/net/channel-name.js');
const { choosePieceLength } = await import('../dist/share/share-session.js');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function rssMiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
}

function btMessage(id, ...numbers) {
  const buffer = Buffer.alloc(5 + 4 * numbers.length);
  buffer.writeUInt32BE(1 + 4 * numbers.length, 0);
  buffer[4] = id;
  numbers.forEach((n, i) => buffer.writeUInt32BE(n, 5 + 4 * i));
  return buffer;
}

/** One flooder (see test/share/request-flooder.ts for the same peer, commented). */
async function flood(home, targetKeyText, port, infoHash) {
  const targetKey = decodeKeyText(targetKeyText);
  const node = new SwarmNode({ identity: loadOrCreateIdentity(home), trust: { allows: (k) => Buffer.from(k).equals(Buffer.from(targetKey)) }, host: '127.0.0.1' });
  const link = await node.connect('127.0.0.1', port, torrentChannel(infoHash), { expectedKey: targetKey });
  link.stream.on('error', () => {}); // the sharer ends the link; a write may then fail (ECONNRESET)
  const startedAt = performance.now();
  const result = { sent: 0, endedAfterMs: NaN, close: async () => { link.close(); await node.close(); } };
  const closed = new Promise((resolve) => link.stream.once('close', resolve));
  void closed.then(() => (result.endedAfterMs = performance.now() - startedAt));
  const reserved = Buffer.alloc(8);
  reserved[5] = 0x10;
  reserved[7] = 0x04;
  link.stream.write(Buffer.concat([Buffer.from('\x13BitTorrent protocol', 'latin1'), reserved, Buffer.from(infoHash, 'hex'), randomBytes(20)]));
  let buffer = Buffer.alloc(0);
  let isHandshakeRead = false;
  const waitFor = (wanted) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('flooder: sharer silent')), 20_000);
    const onData = (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!isHandshakeRead) {
        if (buffer.length < 68) return;
        buffer = buffer.subarray(68);
        isHandshakeRead = true;
      }
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
        const length = buffer.readUInt32BE(0);
        const id = length > 0 ? buffer[4] : -1;
        buffer = buffer.subarray(4 + length);
        if (wanted.includes(id)) {
          clearTimeout(timer);
          link.stream.off('data', onData);
          return resolve();
        }
      }
    };
    link.stream.on('data', onData);
  });
  await waitFor([4, 5, 14, 15]); // have, bitfield, have-all, have-none
  link.stream.write(btMessage(2)); // interested
  await waitFor([1]); // unchoke
  link.stream.pause();
  result.run = (async () => {
    const pieces = Math.floor(SIZE / choosePieceLength(SIZE));
    while (result.sent < REQUESTS && Number.isNaN(result.endedAfterMs)) {
      const batch = [];
      for (let i = 0; i < 1000 && result.sent < REQUESTS; i++, result.sent++) batch.push(btMessage(6, (result.sent * 7) % pieces, 0, BLOCK_BYTES));
      link.stream.write(Buffer.concat(batch));
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return result;
}

async function honestGet(user, magnet, dir, extra = []) {
  removeDir(dir);
  mkdirSync(dir, { recursive: true });
  const getter = startChild([CLI, 'get', magnet, '-o', dir, '--host', '127.0.0.1', '--json', ...extra], { env: { ...process.env, SWARM_HOME: user.home } });
  const metadata = await getter.waitFor((e) => e.event === 'metadata', 120_000);
  const done = await getter.waitFor((e) => e.event === 'done', 900_000);
  await getter.exited;
  removeDir(dir);
  return mbps(SIZE, done.atMs - metadata.atMs);
}

/** Unloaded get, then a get with FLOODERS flooding `target` from its start. */
async function measure(label, target, targetUser, magnet, flooders, getter, dir, getExtra) {
  const pid = target.child.pid;
  // Not measured: ends initial seeding (8 pieces offered at a time) and warms the page cache.
  await honestGet(getter, magnet, join(dir, 'warm-up'), getExtra);
  const unloaded = await honestGet(getter, magnet, join(dir, 'unloaded'), getExtra);
  await sleep(1000);
  const idle = rssMiB(pid);
  let peak = idle;
  let isSampling = true;
  const sampler = (async () => {
    while (isSampling) {
      peak = Math.max(peak, rssMiB(pid));
      await sleep(100);
    }
  })();
  const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)[1];
  const floods = await Promise.all(flooders.map((f) => flood(f.home, targetUser.key, target.port, infoHash)));
  const loaded = await honestGet(getter, magnet, join(dir, 'loaded'), getExtra);
  await Promise.all(floods.map((f) => f.run));
  await Promise.all(floods.map((f) => f.close()));
  await sleep(SETTLE_MS);
  isSampling = false;
  await sampler;
  const after = rssMiB(pid);
  const ended = floods.map((f) => (Number.isNaN(f.endedAfterMs) ? 'open' : `${(f.endedAfterMs / 1000).toFixed(1)} s`)).join(', ');
  return { label, idle, peak, after, unloaded, loaded, ended, sent: floods.map((f) => f.sent) };
}

const dir = tempDir();
const file = randomFile(join(dir, 'payload.bin'), SIZE);
const names = ['alice', 'bob', 'carol', ...Array.from({ length: FLOODERS }, (_, i) => `flooder${i + 1}`)];
const { users, root } = await makeUsers(names);
const [alice, bob, carol, ...flooders] = users;
const results = [];

const sharer = startChild([CLI, 'share', file, '--host', '127.0.0.1', '--port', '0', '--json'], { env: { ...process.env, SWARM_HOME: alice.home } });
const ready = (await sharer.waitFor((e) => e.event === 'ready', 900_000)).event;
sharer.port = ready.port;
results.push(await measure('swarm share', sharer, alice, ready.magnet, flooders, bob, dir));

// A getter that seeds: carol fetches from alice, alice leaves, everyone else gets from carol.
mkdirSync(join(dir, 'carol'));
const seeder = startChild([CLI, 'get', ready.magnet, '-o', join(dir, 'carol'), '--host', '127.0.0.1', '--port', '0', '--seed', '--json'], { env: { ...process.env, SWARM_HOME: carol.home } });
seeder.port = (await seeder.waitFor((e) => e.event === 'seeding', 900_000)).event.port;
await sharer.kill();
results.push(await measure('swarm get --seed', seeder, carol, ready.magnet, flooders, bob, dir, ['--peer', `127.0.0.1:${seeder.port}`]));
await seeder.kill();
removeDir(dir);
removeDir(root);

console.log(`${SIZE / MiB} MiB file, ${FLOODERS} flooders x ${REQUESTS} requests of ${BLOCK_BYTES / 1024} KiB, never reading; loopback`);
console.log('| target | RSS idle MiB | RSS peak MiB | RSS 5 s after MiB | honest get unloaded MB/s | loaded MB/s | loaded / unloaded | flood links ended after | requests written |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.label} | ${r.idle.toFixed(0)} | ${r.peak.toFixed(0)} | ${r.after.toFixed(0)} | ${r.unloaded.toFixed(1)} | ${r.loaded.toFixed(1)} | ${((100 * r.loaded) / r.unloaded).toFixed(0)} % | ${r.ended} | ${r.sent.join(', ')} |`);
}
