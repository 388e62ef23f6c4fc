/**
 * A trusted getter that floods `request`s and never reads (issue 9, memory): against a real
 * `swarm share` process, the sharer's resident memory must stay bounded, the flooder's
 * link must not make it buffer the blocks it asked for, and an honest `swarm get` must
 * still complete. Before the fix, each request was queued and answered into a link nobody
 * read: 10,000 requests of 128 KiB grew the sharer by more than a GiB.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { choosePieceLength } from '../../src/share/share-session.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, startGetter, startSharer } from '../share/cli-peers.js';
import { startRequestFlood, type RequestFlood } from '../share/request-flooder.js';

const FILE_BYTES = 16 * 1024 * 1024;
const PIECE_BYTES = choosePieceLength(FILE_BYTES);
/** The largest block webtorrent serves (128 KiB), or a whole piece when pieces are smaller: a valid request. */
const BLOCK_BYTES = Math.min(128 * 1024, PIECE_BYTES);
/** Growth allowed over the sharer's idle RSS; without the fix it grows by hundreds of MiB. */
const MAX_GROWTH_MIB = 100;

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** Samples RSS every 50 ms until `isDone()`, the growth limit is passed, or `maxMs`; the peak. */
async function peakRssWhile(pid: number, isDone: () => boolean, maxMs: number, limitMiB: number): Promise<number> {
  const started = Date.now();
  let peak = rssMiB(pid);
  while (!isDone() && Date.now() - started < maxMs && peak < limitMiB) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    peak = Math.max(peak, rssMiB(pid));
  }
  return peak;
}

async function setUp() {
  const [alice, mallory, bob] = makeUsers(['alice', 'mallory', 'bob']);
  const dir = tempDir();
  const path = join(dir, 'data.bin');
  writeFileSync(path, randomBytes(FILE_BYTES));
  const sharer = await startSharer(alice!, path);
  const infoHash = /btih:([0-9a-f]{40})/.exec(sharer.magnet)![1]!;
  const pid = sharer.child.child.pid!;
  const flood = (options: { requests: number; burstRequests?: number; burstIntervalMs?: number }) =>
    startRequestFlood({
      home: mallory!.home,
      sharerKeyText: alice!.key,
      port: sharer.port,
      infoHash,
      pieceCount: FILE_BYTES / PIECE_BYTES,
      blockBytes: BLOCK_BYTES,
      ...options,
    });
  return { alice: alice!, mallory: mallory!, bob: bob!, dir, path, sharer, pid, flood };
}

describe('a trusted getter flooding requests', () => {
  it('10,000 requests in bursts of 500: the sharer ends the link, stays bounded, and still serves an honest getter', async () => {
    const { mallory, bob, dir, path, sharer, pid, flood } = await setUp();
    const idleMiB = rssMiB(pid);
    let flooder: RequestFlood | undefined;
    try {
      // Bursts, not one write: arriving together, requests for a piece share one read of it.
      flooder = await flood({ requests: 10_000, burstRequests: 500, burstIntervalMs: 20 });
      const peak = await peakRssWhile(pid, () => flooder!.isClosed, 15_000, idleMiB + MAX_GROWTH_MIB);
      expect(peak - idleMiB).toBeLessThan(MAX_GROWTH_MIB);
      expect(flooder.isClosed).toBe(true);
      const dropped = await sharer.child.waitForEvent((e) => e.event === 'peer-dropped', 5000, 'peer-dropped');
      expect(dropped.key).toBe(mallory.key);
      expect(String(dropped.reason)).toMatch(/requests/);
    } finally {
      await flooder?.close();
    }
    const getter = startGetter(bob, sharer.magnet, join(dir, 'out'));
    expect(await getter.exited).toBe(0);
    expect(sameFile(path, join(dir, 'out', 'data.bin'))).toBe(true);
  }, 60_000);

  it('paced requests it never reads: the sharer stops answering, stays bounded, and serves an honest getter meanwhile', async () => {
    const { bob, dir, path, sharer, pid, flood } = await setUp();
    const idleMiB = rssMiB(pid);
    // 16 blocks every 10 ms: a steady ~100-200 MB/s of blocks nobody reads.
    const flooder = await flood({ requests: 4000, burstRequests: 16, burstIntervalMs: 10 });
    try {
      const getter = startGetter(bob, sharer.magnet, join(dir, 'out'));
      let isSent = false;
      void flooder.sent.then(() => (isSent = true));
      let peak = await peakRssWhile(pid, () => isSent, 15_000, idleMiB + MAX_GROWTH_MIB);
      // Once every request is out, give the sharer time to (not) answer the backlog.
      const settledAt = Date.now() + 1000;
      peak = Math.max(peak, await peakRssWhile(pid, () => Date.now() > settledAt, 2000, idleMiB + MAX_GROWTH_MIB));
      expect(peak - idleMiB).toBeLessThan(MAX_GROWTH_MIB);
      expect(await getter.exited).toBe(0);
      expect(sameFile(path, join(dir, 'out', 'data.bin'))).toBe(true);
      expect(flooder.isClosed).toBe(true); // unanswered, its requests overflowed the queue
    } finally {
      await flooder.close();
    }
  }, 60_000);
});
