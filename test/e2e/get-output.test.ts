/**
 * What `swarm get` leaves on disk, through the real CLI: the download is `<name>.part`
 * until every piece is verified and only then `<name>`; a killed get resumes and says
 * what it is checking; every file the torrent names exists with its length (0-byte files
 * included); a sparse source stays sparse; a full disk and an unusable -o are one plain
 * line naming the path, and the full disk resumes once space is freed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, rmSync, statSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, startGetter, startSharer, type TestUser } from '../share/cli-peers.js';

const MiB = 1024 * 1024;

function getHuman(user: TestUser, magnet: string, outDir: string): CliProcess {
  return new CliProcess(['get', magnet, '-o', outDir, '--host', '127.0.0.1'], { home: user.home });
}

const mounted: string[] = [];

/** A tmpfs of sizeBytes (read-only if asked), unmounted after the test; undefined with the reason when mounting is not allowed. */
function mountTmpfs(sizeBytes: number): { dir: string } | { reason: string } {
  const dir = join(tempDir(), 'disk');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    return { reason: `cannot mount a tmpfs here (${String((error as Error).message).split('\n')[0]})` };
  }
  mounted.push(dir);
  return { dir };
}

afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
});

describe('swarm get writes <name>.part and renames it when complete', () => {
  it('a file is big.bin.part while it downloads; a killed get resumes with a "checking" line; then only big.bin', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'big.bin');
    const size = 6 * MiB;
    writeFileSync(source, randomBytes(size));
    const { magnet } = await startSharer(alice!, source, ['--upload-limit', '1M']);
    const out = join(dir, 'out');

    const first = startGetter(bob!, magnet, out);
    await first.waitForEvent((e) => e.event === 'progress' && Number(e.verified) >= MiB, 30_000, '1 MiB verified');
    expect(readdirSync(out)).toEqual(['big.bin.part']);
    await first.stop('SIGKILL');
    expect(readdirSync(out)).toEqual(['big.bin.part']);

    const second = getHuman(bob!, magnet, out);
    const line = await second.waitForStderr(/checking .* already here…/, 30_000);
    expect(line).toMatch(/checking \d+(\.\d+)? MiB already here…/);
    expect(await second.exited).toBe(0);
    expect(readdirSync(out)).toEqual(['big.bin']);
    expect(sameFile(source, join(out, 'big.bin'))).toBe(true);
    expect(readdirSync(join(bob!.home, 'partial'))).toEqual([]);
  }, 90_000);

  it('a folder is album.part/ while it downloads, then album/ with every file at its length, empty ones too', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const tree = join(dir, 'album');
    mkdirSync(join(tree, 'only-empty'), { recursive: true });
    writeFileSync(join(tree, 'track.flac'), randomBytes(3 * MiB));
    writeFileSync(join(tree, 'empty.txt'), '');
    writeFileSync(join(tree, 'only-empty', 'nothing'), '');
    const { magnet } = await startSharer(alice!, tree, ['--upload-limit', '1M']);
    const out = join(dir, 'out');
    const getter = startGetter(bob!, magnet, out);
    await getter.waitForEvent((e) => e.event === 'progress' && Number(e.verified) > 0, 30_000, 'a piece verified');
    expect(readdirSync(out)).toEqual(['album.part']);
    await getter.waitForEvent((e) => e.event === 'done', 40_000, 'done');
    expect(await getter.exited).toBe(0);
    expect(readdirSync(out)).toEqual(['album']);
    expect(sameFile(join(tree, 'track.flac'), join(out, 'album', 'track.flac'))).toBe(true);
    expect(statSync(join(out, 'album', 'empty.txt')).size).toBe(0);
    expect(statSync(join(out, 'album', 'only-empty', 'nothing')).size).toBe(0);
  }, 90_000);

  it('a single 0-byte file is created, and "saved" only once it exists', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.txt'), '');
    const { magnet } = await startSharer(alice!, join(dir, 'empty.txt'));
    const out = join(dir, 'out');
    const result = await runCli(['get', magnet, '-o', out, '--host', '127.0.0.1'], { home: bob!.home, timeoutMs: 40_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/saved .*empty\.txt \(0 B, every piece verified\)/);
    expect(readdirSync(out)).toEqual(['empty.txt']);
    expect(statSync(join(out, 'empty.txt')).size).toBe(0);
  }, 60_000);

  it('a sparse source stays sparse', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'disk.img');
    const size = 32 * MiB;
    const fd = openSync(source, 'w');
    writeSync(fd, randomBytes(MiB), 0, MiB, 0);
    writeSync(fd, randomBytes(MiB), 0, MiB, size - MiB);
    ftruncateSync(fd, size);
    closeSync(fd);
    const { magnet } = await startSharer(alice!, source);
    const out = join(dir, 'out');
    const getter = startGetter(bob!, magnet, out);
    expect(await getter.exited).toBe(0);
    const stats = statSync(join(out, 'disk.img'));
    expect(stats.size).toBe(size);
    expect(sameFile(source, join(out, 'disk.img'))).toBe(true);
    expect(stats.blocks * 512).toBeLessThan(8 * MiB); // 2 MiB of data, ~30 MiB of hole
  }, 90_000);
});

describe('disks that cannot take the download', () => {
  it('a full disk is one line naming the file and what to do; after freeing space the same command resumes', async (ctx) => {
    const disk = mountTmpfs(4 * MiB);
    if ('reason' in disk) {
      console.warn(`skipped: ${disk.reason}`);
      return ctx.skip();
    }
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'big.bin');
    const size = 2 * MiB;
    writeFileSync(source, randomBytes(size));
    const { magnet } = await startSharer(alice!, source);
    const filler = join(disk.dir, 'filler');
    writeFileSync(filler, Buffer.alloc(3 * MiB, 1));

    const full = await runCli(['get', magnet, '-o', disk.dir, '--host', '127.0.0.1', '--json'], { home: bob!.home, timeoutMs: 40_000 });
    const escaped = disk.dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expectCleanFailure(full, 1, new RegExp(`no space left on ${escaped} writing big\\.bin\\.part \\(hint: free some space and run the same command to resume`));
    expect(existsSync(join(disk.dir, 'big.bin'))).toBe(false);

    rmSync(filler);
    const again = startGetter(bob!, magnet, disk.dir);
    const done = await again.waitForEvent((e) => e.event === 'done', 40_000, 'done');
    expect(await again.exited).toBe(0);
    expect(done.resumed).toBe(true);
    expect(Number(done.received)).toBeLessThan(size);
    expect(readdirSync(disk.dir)).toEqual(['big.bin']);
    expect(sameFile(source, join(disk.dir, 'big.bin'))).toBe(true);
  }, 90_000);

  it('-o on a read-only disk or on a file is refused before any peer is dialled', async (ctx) => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    const sharer = await startSharer(alice!, join(dir, 'notes.txt'));
    // With the sharer gone, a get that dialled first would fail with "could not fetch".
    await sharer.child.stop('SIGKILL');
    const get = (outDir: string) => runCli(['get', sharer.magnet, '-o', outDir, '--host', '127.0.0.1'], { home: bob!.home, timeoutMs: 30_000 });

    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    expectCleanFailure(await get(file), 1, /cannot save into .*a-file: it is a file, not a folder \(hint: choose a folder you can write to with -o\)/);
    expectCleanFailure(await get(join(file, 'sub')), 1, /cannot save into .*a-file\/sub: part of the path is a file, not a folder/);
    expect(existsSync(join(bob!.home, 'partial'))).toBe(false);

    const disk = mountTmpfs(MiB);
    if ('reason' in disk) {
      console.warn(`read-only part skipped: ${disk.reason}`);
      return ctx.skip();
    }
    execFileSync('mount', ['-o', 'remount,ro', disk.dir]);
    expectCleanFailure(await get(disk.dir), 1, /cannot save into .*disk: the file system is read-only/);
    expectCleanFailure(await get(join(disk.dir, 'new-folder')), 1, /cannot save into .*new-folder: the file system is read-only/);
  }, 60_000);
});
