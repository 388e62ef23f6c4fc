/**
 * A trusted peer serving corrupt data, end to end: two sharers of the same file (same
 * infohash), one of which overwrites its copy after hashing it (keeping its size and mtime,
 * so only the hash check can tell). The getter, told about both, drops the corrupt one once
 * a piece fails its hash check, says so, and still completes a byte-identical copy from the
 * honest one.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, startGetter, startSharer } from '../share/cli-peers.js';

describe('corrupt pieces from a trusted peer', () => {
  it('drops the peer and completes from another', async () => {
    const [honest, liar, bob] = makeUsers(['honest', 'liar', 'bob']);
    const dir = tempDir();
    mkdirSync(join(dir, 'h'));
    mkdirSync(join(dir, 'l'));
    const size = 4 * 1024 * 1024;
    writeFileSync(join(dir, 'h', 'file.bin'), randomBytes(size));
    copyFileSync(join(dir, 'h', 'file.bin'), join(dir, 'l', 'file.bin'));
    // Whole seconds: the mtime can be put back exactly after the rewrite below.
    const fixedTimeS = 1_700_000_000;
    utimesSync(join(dir, 'l', 'file.bin'), fixedTimeS, fixedTimeS);
    const good = await startSharer(honest!, join(dir, 'h', 'file.bin'), ['--upload-limit', '1M']);
    const bad = await startSharer(liar!, join(dir, 'l', 'file.bin'));
    expect(/btih:(\w+)/.exec(bad.magnet)![1]).toBe(/btih:(\w+)/.exec(good.magnet)![1]);
    writeFileSync(join(dir, 'l', 'file.bin'), randomBytes(size)); // every byte it serves is now wrong
    // Same size, inode and mtime: the liar cannot notice the change (shared-file-watch.ts)
    // and serves it, as a peer with silently corrupted storage (or a lying one) would.
    utimesSync(join(dir, 'l', 'file.bin'), fixedTimeS, fixedTimeS);
    const getter = startGetter(bob!, good.magnet, join(dir, 'out'), ['--peer', `127.0.0.1:${bad.port}`]);
    const dropped = await getter.waitForEvent((e) => e.event === 'peer-dropped', 30_000, 'peer-dropped');
    expect(dropped.key).toBe(liar!.key);
    expect(dropped.name).toBe('liar');
    expect(String(dropped.reason)).toMatch(/corrupt data \(piece \d+ failed its hash check\)/);
    await getter.waitForEvent((e) => e.event === 'done', 40_000, 'done');
    expect(await getter.exited).toBe(0);
    expect(sameFile(join(dir, 'h', 'file.bin'), join(dir, 'out', 'file.bin'))).toBe(true);
  }, 60_000);
});
