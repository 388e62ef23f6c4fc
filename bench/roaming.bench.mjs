// Recovery after an address change (issue 17, roaming): a 64 MiB `swarm get` through a
// userspace relay whose path dies silently at 25% verified (it stops forwarding without
// closing anything, as Wi-Fi roaming, NAT rebinding or sleep do) while new connections
// through it leave from another source address (127.0.0.2, then 127.0.0.3...). Reported per
// getter link timeout: ms from the silence to the getter's new link (its peer-connected),
// and to transfer resuming (256 KiB relayed on a new connection), the getter's exit code
// and whether the file is identical. The sharer keeps the default 15 s timeout, so only
// replacement of its dead link (probe) lets the getter back in before that.
//   npm run bench -- roaming
//   ROAMING_TIMEOUTS_MS=15000,5000,2000 ROAMING_MIB=64 node bench/roaming.bench.mjs
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { CLI, MiB, fileSha256, removeDir, startChild, startTwoUserShare } from './share-harness.mjs';

const TIMEOUTS_MS = (process.env.ROAMING_TIMEOUTS_MS ?? '15000,5000,2000').split(',').map(Number);
const SIZE_MIB = Number(process.env.ROAMING_MIB ?? 64);
const UPLOAD_LIMIT = process.env.ROAMING_UPLOAD_LIMIT ?? '4M';
const RESUMED_AFTER_BYTES = 256 * 1024;

/** Forwards to the target; `blackhole()` silences every connection open now; new ones leave from `source`. */
class RoamingRelay {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.pairs = new Set();
    this.source = '127.0.0.2';
    this.resumedAt = 0;
    this.silencedAt = 0;
  }

  async open() {
    this.server = createServer((client) => {
      const upstream = connect({ port: this.targetPort, host: '127.0.0.1', localAddress: this.source });
      const pair = { client, upstream, isDead: false, bytes: 0, isNew: this.silencedAt > 0 };
      this.pairs.add(pair);
      const forward = (from, to, toGetter) => {
        from.on('data', (chunk) => {
          if (pair.isDead) return;
          if (toGetter && pair.isNew && !this.resumedAt && (pair.bytes += chunk.length) >= RESUMED_AFTER_BYTES) this.resumedAt = performance.now();
          if (!to.write(chunk)) {
            from.pause();
            to.once('drain', () => from.resume());
          }
        });
        from.on('end', () => pair.isDead || to.end());
        from.on('close', () => pair.isDead || to.destroy());
        from.on('error', () => {});
      };
      forward(client, upstream, false);
      forward(upstream, client, true);
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  silence(nextSource) {
    for (const pair of this.pairs) {
      pair.isDead = true;
      pair.client.resume();
      pair.upstream.resume();
    }
    this.source = nextSource;
    this.silencedAt = performance.now();
  }

  close() {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.server.close();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const connects = (child) => child.events.filter((e) => e.event.event === 'peer-connected');

const { bob, homes, dir, sourceHash, share, ready } = await startTwoUserShare(SIZE_MIB, UPLOAD_LIMIT);

async function run(timeoutMs, round) {
  const relay = new RoamingRelay(ready.port);
  await relay.open();
  const magnet = ready.magnet.replace(/x\.pe=[^&]+/, `x.pe=127.0.0.1%3A${relay.port}`);
  const out = join(dir, `out-${timeoutMs}`);
  const env = { ...process.env, SWARM_HOME: bob.home, SWARM_LINK_TIMEOUT_MS: String(timeoutMs) };
  const get = startChild([CLI, 'get', magnet, '-o', out, '--host', '127.0.0.1', '--json'], { env });
  await get.waitFor((e) => e.event === 'progress' && e.verified >= (SIZE_MIB * MiB) / 4);
  const connectsBefore = connects(get).length;
  relay.silence(`127.0.0.${3 + round}`);
  const silencedAt = relay.silencedAt;
  while (connects(get).length <= connectsBefore && get.child.exitCode === null) await sleep(10);
  const linkMs = get.startedAt + (connects(get)[connectsBefore]?.atMs ?? NaN) - silencedAt;
  while (!relay.resumedAt && get.child.exitCode === null) await sleep(10);
  const resumedMs = relay.resumedAt ? relay.resumedAt - silencedAt : NaN;
  const code = await get.exited;
  const isSame = code === 0 && fileSha256(join(out, 'big.bin')) === sourceHash;
  relay.close();
  removeDir(out);
  return { timeoutMs, linkMs, resumedMs, code, isSame };
}

console.log(`${SIZE_MIB} MiB get through a relay silenced at 25% verified (new connections from a new source address); sharer upload capped at ${UPLOAD_LIMIT}/s, sharer link timeout default (15 s)`);
console.log('| getter link timeout | new link after (ms) | transfer resumed after (ms) | getter exit | file identical |');
console.log('|---|---|---|---|---|');
for (const [round, timeoutMs] of TIMEOUTS_MS.entries()) {
  const r = await run(timeoutMs, round);
  console.log(`| ${r.timeoutMs} ms | ${r.linkMs.toFixed(0)} | ${r.resumedMs.toFixed(0)} | ${r.code} | ${r.isSame ? 'yes' : 'NO'} |`);
}
await share.kill('SIGINT');
removeDir(dir);
removeDir(homes);
