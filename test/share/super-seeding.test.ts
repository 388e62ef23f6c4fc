/**
 * Super-seeding with every uplink capped (sharer and getters, webtorrent's throttle), in one
 * process over real SwarmNodes on 127.0.0.1: until every piece is out in the swarm, each
 * piece leaves the sharer once (distinct offers per getter); the getters trade the rest.
 * Bounded in bytes, not in time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetSession } from '../../src/share/get-session.js';
import { parseMagnetLink } from '../../src/share/magnet-link.js';
import { startShare } from '../../src/share/share-session.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeNode, onTeardown } from './share-node-fixture.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const UPLINK_BYTES_PER_SECOND = 512 * 1024;

describe('super-seeding over capped uplinks', () => {
  it.each([4, 6])('with %i capped getters the sharer sends each piece once before all are out', async (getterCount) => {
    const dir = tempDir();
    const source = join(dir, 'capped.bin');
    const size = 2 * 1024 * 1024;
    writeFileSync(source, randomBytes(size));
    const sharerNode = await makeNode();
    const shared = await startShare({
      node: sharerNode.node, router: sharerNode.router, ownKeyText: sharerNode.keyText, advertisedAddresses: [{ host: sharerNode.host, port: sharerNode.port }],
      listenPort: sharerNode.port, path: source, isAllowed: () => true, uploadLimitBytesPerSecond: UPLINK_BYTES_PER_SECOND, pieceLength: 64 * 1024, isSuperSeeding: true,
    });
    onTeardown(() => shared.close());
    const sentBySharer = () => shared.snapshot().traffic.reduce((sum, t) => sum + t.sent, 0);
    let sentWhenAllOut = -1;
    (shared as unknown as { torrent: { once(e: string, f: () => void): void } }).torrent.once('super-seeding-done', () => (sentWhenAllOut = sentBySharer()));
    const getters = await Promise.all(Array.from({ length: getterCount }, async (_, i) => {
      const node = await makeNode();
      const session = new GetSession({
        node: node.node, router: node.router, ownKeyText: node.keyText, listenPort: node.port, magnet: parseMagnetLink(shared.magnet),
        extraPeers: [], outDir: join(dir, `out${i}`), stateDir: tempDir(), isForced: false, isAllowed: () => true,
        uploadLimitBytesPerSecond: UPLINK_BYTES_PER_SECOND,
      });
      onTeardown(() => session.close());
      return session;
    }));
    await Promise.all(getters.map((g) => g.run()));
    for (let i = 0; i < getterCount; i++) expect(sha256(join(dir, `out${i}`, 'capped.bin'))).toBe(sha256(source));
    // Measured: exactly 1.00x with 4 and 6 getters; before distinct offers 1.58x and 2.27x.
    // The slack allows a few stale offers made twice when the machine is slow.
    expect(sentWhenAllOut).toBeGreaterThanOrEqual(size);
    expect(sentWhenAllOut).toBeLessThanOrEqual(1.1 * size);
  }, 60_000);
});
