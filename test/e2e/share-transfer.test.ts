/**
 * share -> get end to end: the built CLI as child processes, real files, real sockets on
 * 127.0.0.1, the real secure node. Byte-identical results, many sources with per-peer
 * byte counts, and resume after a killed get.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, startGetter, startSharer } from '../share/cli-peers.js';

const MiB = 1024 * 1024;

interface PeerBytes {
  key: string;
  received: number;
  sent: number;
}

describe('swarm share / swarm get', () => {
  it('round-trips a multi-MiB file byte for byte and reports bytes per peer', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'movie.bin');
    writeFileSync(source, randomBytes(6 * MiB + 7));
    const { magnet } = await startSharer(alice!, source);
    expect(magnet).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=movie\.bin&xl=6291463&x\.pe=127\.0\.0\.1%3A\d+&x\.key=swarm1/);
    const getter = startGetter(bob!, magnet, join(dir, 'out'));
    const done = await getter.waitForEvent((e) => e.event === 'done', 40_000, 'done');
    expect(await getter.exited).toBe(0);
    expect(sameFile(source, join(dir, 'out', 'movie.bin'))).toBe(true);
    const peers = done.peers as PeerBytes[];
    expect(peers.find((p) => p.key === alice!.key)!.received).toBeGreaterThanOrEqual(6 * MiB);
  }, 60_000);

  it('round-trips a directory tree', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const tree = join(dir, 'album');
    mkdirSync(join(tree, 'disc 2'), { recursive: true });
    writeFileSync(join(tree, 'cover.jpg'), randomBytes(300_000));
    writeFileSync(join(tree, 'disc 2', 'track.flac'), randomBytes(2 * MiB + 5));
    writeFileSync(join(tree, 'notes.txt'), 'liner notes\n');
    const { magnet } = await startSharer(alice!, tree);
    const getter = startGetter(bob!, magnet, join(dir, 'out'));
    expect(await getter.exited).toBe(0);
    for (const file of ['cover.jpg', join('disc 2', 'track.flac'), 'notes.txt']) {
      expect(sameFile(join(tree, file), join(dir, 'out', 'album', file))).toBe(true);
    }
  }, 60_000);

  it('three getters at once each receive pieces from the other two', async () => {
    const users = makeUsers(['alice', 'g1', 'g2', 'g3']);
    const [alice, ...getters] = users;
    const dir = tempDir();
    const source = join(dir, 'big.bin');
    writeFileSync(source, randomBytes(8 * MiB));
    // A slow sharer (16 s for the file alone) makes the getters worth trading with, and
    // leaves them time to find each other through peer exchange even on a busy machine.
    const { magnet } = await startSharer(alice!, source, ['--upload-limit', '512k']);
    const children = getters.map((g) => startGetter(g, magnet, join(dir, g.name)));
    const dones = await Promise.all(children.map((c) => c.waitForEvent((e) => e.event === 'done', 50_000, 'done')));
    for (const [i, getter] of getters.entries()) {
      expect(sameFile(source, join(dir, getter.name, 'big.bin'))).toBe(true);
      const peers = dones[i]!.peers as PeerBytes[];
      for (const other of getters.filter((g) => g !== getter)) {
        expect(peers.find((p) => p.key === other.key)?.received ?? 0, `${getter.name} from ${other.name}`).toBeGreaterThan(0);
      }
    }
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0, 0]);
  }, 80_000);

  it('resumes from verified pieces after Ctrl-C and after a kill, fetching less each time', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'resume.bin');
    const size = 12 * MiB;
    writeFileSync(source, randomBytes(size));
    const { magnet } = await startSharer(alice!, source, ['--upload-limit', '2M']);
    const out = join(dir, 'out');
    // Ctrl-C: a clean stop that keeps what is verified and says how to continue.
    const first = startGetter(bob!, magnet, out);
    const quarter = await first.waitForEvent((e) => e.event === 'progress' && Number(e.verified) >= size / 4, 30_000, 'a quarter verified');
    expect(await first.stop('SIGINT')).toBe(130);
    const stopped = first.events.find((e) => e.event === 'stopped');
    expect(Number(stopped?.verified)).toBeGreaterThanOrEqual(size / 4);
    expect(stopped).toMatchObject({ event: 'stopped', length: size, part: 'resume.bin.part' });
    // A hard kill mid-way loses nothing verified either.
    const second = startGetter(bob!, magnet, out);
    const resumedMetadata = await second.waitForEvent((e) => e.event === 'metadata', 30_000, 'metadata');
    expect(resumedMetadata.resume).toBe(true);
    const more = Number(quarter.verified) + MiB;
    await second.waitForEvent((e) => e.event === 'progress' && Number(e.verified) >= more, 30_000, 'one more MiB verified');
    await second.stop('SIGKILL');
    const third = startGetter(bob!, magnet, out);
    const done = await third.waitForEvent((e) => e.event === 'done', 40_000, 'done');
    expect(await third.exited).toBe(0);
    expect(done.resumed).toBe(true);
    expect(Number(done.received)).toBeLessThan(size * 0.75);
    expect(sameFile(source, join(out, 'resume.bin'))).toBe(true);
  }, 80_000);
});
