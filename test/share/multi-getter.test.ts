/**
 * Many sources, in one process over SwarmNodes on 127.0.0.1 (share-node-fixture.ts): three getters fetch at once
 * from an upload-limited sharer, learn of each other through swarm_pex, and trade
 * pieces among themselves; a peer serving corrupt data is dropped and the download
 * still completes from another.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetSession } from '../../src/share/get-session.js';
import { parseMagnetLink } from '../../src/share/magnet-link.js';
import { startShare, type ShareSession } from '../../src/share/share-session.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeNode, onTeardown, type ShareNode } from './share-node-fixture.js';

async function share(path: string, uploadLimit?: number, pieceLength = 64 * 1024, isSuperSeeding = false): Promise<{ session: ShareSession; node: ShareNode }> {
  const node = await makeNode();
  const session = await startShare({
    node: node.node, router: node.router, ownKeyText: node.keyText, advertisedAddresses: [{ host: node.host, port: node.port }],
    listenPort: node.port, path, isAllowed: () => true, uploadLimitBytesPerSecond: uploadLimit, pieceLength, isSuperSeeding,
  });
  onTeardown(() => session.close());
  return { session, node };
}

async function getter(magnet: string, outDir: string, extraPeers: { host: string; port: number }[] = []): Promise<{ session: GetSession; node: ShareNode }> {
  const node = await makeNode();
  const session = new GetSession({
    node: node.node, router: node.router, ownKeyText: node.keyText, listenPort: node.port, magnet: parseMagnetLink(magnet),
    extraPeers, outDir, stateDir: tempDir(), isForced: false, isAllowed: () => true,
  });
  onTeardown(() => session.close());
  return { session, node };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('many sources', () => {
  it('three getters at once each receive pieces from the other two', async () => {
    const dir = tempDir();
    const source = join(dir, 'big.bin');
    writeFileSync(source, randomBytes(6 * 1024 * 1024));
    const { session: shared, node: sharerNode } = await share(source, 1024 * 1024);
    const getters = await Promise.all([0, 1, 2].map((i) => getter(shared.magnet, join(dir, `out${i}`))));
    await Promise.all(getters.map((g) => g.session.run()));
    for (const [i, g] of getters.entries()) {
      expect(sha256(join(dir, `out${i}`, 'big.bin'))).toBe(sha256(source));
      const traffic = g.session.peers!.peerTraffic();
      const fromSharer = traffic.find((t) => t.key === sharerNode.keyText)?.received ?? 0;
      const others = getters.filter((o) => o !== g).map((o) => traffic.find((t) => t.key === o.node.keyText)?.received ?? 0);
      // every getter got data from both other getters, not only from the sharer
      for (const bytes of others) expect(bytes).toBeGreaterThan(0);
      expect(fromSharer + others.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(6 * 1024 * 1024);
    }
  }, 50_000);

  it('drops a trusted peer that serves corrupt pieces and completes from another', async () => {
    const dir = tempDir();
    const goodDir = join(dir, 'good');
    const badDir = join(dir, 'bad');
    mkdirSync(goodDir);
    mkdirSync(badDir);
    const source = join(goodDir, 'file.bin');
    writeFileSync(source, randomBytes(4 * 1024 * 1024));
    copyFileSync(source, join(badDir, 'file.bin'));
    const fixedTimeS = 1_700_000_000; // whole seconds: put back exactly after the rewrite below
    utimesSync(join(badDir, 'file.bin'), fixedTimeS, fixedTimeS);
    const { session: good } = await share(source, 1024 * 1024);
    const { session: bad, node: badNode } = await share(join(badDir, 'file.bin'));
    expect(bad.infoHash).toBe(good.infoHash);
    // The bad sharer hashed honest data; now every byte it serves is wrong.
    writeFileSync(join(badDir, 'file.bin'), randomBytes(4 * 1024 * 1024));
    // Same size, inode and mtime, so it cannot notice (shared-file-watch.ts) and serves it.
    utimesSync(join(badDir, 'file.bin'), fixedTimeS, fixedTimeS);
    const { session } = await getter(good.magnet, join(dir, 'out'), [{ host: badNode.host, port: badNode.port }]);
    const dropped: { key: string; reason: string }[] = [];
    session.on('peer-dropped', (event) => dropped.push(event));
    await session.run();
    expect(sha256(join(dir, 'out', 'file.bin'))).toBe(sha256(source));
    expect(dropped.map((d) => d.key)).toEqual([badNode.keyText]);
    expect(dropped[0]!.reason).toMatch(/corrupt/);
  }, 40_000);

  it('end game: blocks held by a very slow peer at the tail are taken over by a fast one', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'fast'));
    mkdirSync(join(dir, 'slow'));
    const source = join(dir, 'fast', 'tail.bin');
    writeFileSync(source, randomBytes(3 * 1024 * 1024));
    copyFileSync(source, join(dir, 'slow', 'tail.bin'));
    const { session: slow, node: slowNode } = await share(join(dir, 'slow', 'tail.bin'), 16 * 1024);
    const { session: fast, node: fastNode } = await share(source);
    expect(fast.infoHash).toBe(slow.infoHash);
    const { session } = await getter(slow.magnet, join(dir, 'out'));
    const stolenFrom: unknown[] = [];
    session.once('metadata', () => (session as unknown as { torrent: { on(e: string, f: (w: unknown) => void): void } }).torrent.on('end-game-steal', (w) => stolenFrom.push(w)));
    const done = session.run();
    // Let the slow peer reserve a pipeline of blocks first, then bring in the fast one.
    for (let i = 0; i < 200 && !(session.peers?.peerTraffic()[0]?.received ?? 0); i++) await new Promise((r) => setTimeout(r, 50));
    session.peers!.dial({ host: fastNode.host, port: fastNode.port });
    await done;
    expect(sha256(join(dir, 'out', 'tail.bin'))).toBe(sha256(source));
    expect(stolenFrom.length).toBeGreaterThan(0);
    const traffic = session.peers!.peerTraffic();
    expect(traffic.find((t) => t.key === fastNode.keyText)!.received).toBeGreaterThan(traffic.find((t) => t.key === slowNode.keyText)!.received);
  }, 40_000);

  it('super-seeding sends each piece about once, the getters trade the rest', async () => {
    const dir = tempDir();
    const source = join(dir, 'once.bin');
    const size = 6 * 1024 * 1024;
    writeFileSync(source, randomBytes(size));
    const { session: shared } = await share(source, 1024 * 1024, 64 * 1024, true);
    const getters = await Promise.all([0, 1, 2].map((i) => getter(shared.magnet, join(dir, `out${i}`))));
    await Promise.all(getters.map((g) => g.session.run()));
    for (let i = 0; i < 3; i++) expect(sha256(join(dir, `out${i}`, 'once.bin'))).toBe(sha256(source));
    const sentBySharer = shared.snapshot().traffic.reduce((sum, t) => sum + t.sent, 0);
    expect(sentBySharer).toBeLessThan(1.5 * size); // without super-seeding: about 1.8x
  }, 50_000);
});
