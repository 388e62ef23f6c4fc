/**
 * share/ wiring, in one process, over SwarmNodes on 127.0.0.1 (share-node-fixture.ts): the
 * webtorrent engine fed only with authenticated links, metadata over ut_metadata, resume,
 * name checks and the existing-file rule. Security properties are tested end to end
 * through the CLI (test/e2e/share-*.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetSession } from '../../src/share/get-session.js';
import { parseMagnetLink } from '../../src/share/magnet-link.js';
import { startShare, type ShareSession } from '../../src/share/share-session.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeNode, onTeardown, type ShareNode } from './share-node-fixture.js';

async function share(path: string, pieceLength?: number): Promise<{ session: ShareSession; node: ShareNode }> {
  const node = await makeNode();
  const session = await startShare({
    node: node.node, router: node.router, ownKeyText: node.keyText, advertisedAddresses: [{ host: node.host, port: node.port }],
    listenPort: node.port, path, isAllowed: () => true, pieceLength,
  });
  onTeardown(() => session.close());
  return { session, node };
}

async function get(magnet: string, outDir: string, isForced = false): Promise<GetSession> {
  const node = await makeNode();
  const session = new GetSession({
    node: node.node, router: node.router, ownKeyText: node.keyText, listenPort: node.port, magnet: parseMagnetLink(magnet),
    extraPeers: [], outDir, stateDir: tempDir(), isForced, isAllowed: () => true,
  });
  onTeardown(() => session.close());
  return session;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('share -> get over SwarmNode links', () => {
  it('round-trips a multi-MiB file byte for byte, with a magnet naming no tracker', async () => {
    const dir = tempDir();
    const source = join(dir, 'data.bin');
    writeFileSync(source, randomBytes(3 * 1024 * 1024 + 123));
    const { session } = await share(source);
    expect(session.magnet).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=data\.bin&xl=3145851&x\.pe=127\.0\.0\.1%3A\d+&x\.key=swarm1/);
    expect(session.magnet).not.toMatch(/tr=|ws=|xs=|as=/);
    const out = join(dir, 'out');
    const getter = await get(session.magnet, out);
    await getter.run();
    expect(sha256(join(out, 'data.bin'))).toBe(sha256(source));
    expect(existsSync(join(out, `.swarm-partial-${session.infoHash}`))).toBe(false);
    const traffic = getter.peers!.peerTraffic();
    expect(traffic).toHaveLength(1);
    expect(traffic[0]!.received).toBeGreaterThanOrEqual(3 * 1024 * 1024);
  }, 30_000);

  it('refuses to overwrite an unrelated existing file, replaces it with force, and accepts an identical one', async () => {
    const dir = tempDir();
    const source = join(dir, 'same.txt');
    writeFileSync(source, randomBytes(200_000));
    const { session } = await share(source);
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'same.txt'), 'precious');
    const getter = await get(session.magnet, out);
    await expect(getter.run()).rejects.toMatchObject({ code: 'EXISTS' });
    expect(readFileSync(join(out, 'same.txt'), 'utf8')).toBe('precious');
    const forced = await get(session.magnet, out, true);
    await forced.run();
    expect(sha256(join(out, 'same.txt'))).toBe(sha256(source));
    // A rerun over the finished download: it is exactly this content, so nothing is fetched.
    const rerun = await get(session.magnet, out);
    await rerun.run();
    expect(rerun.alreadyComplete).toBe(true);
    expect(rerun.snapshot().received).toBeLessThan(20_000); // metadata only, no piece data
    expect(sha256(join(out, 'same.txt'))).toBe(sha256(source));
  }, 30_000);
});
