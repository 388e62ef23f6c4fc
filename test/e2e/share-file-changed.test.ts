/**
 * A shared file that changes on disk mid-transfer, end to end (real CLI processes, real
 * files): the sharer notices before serving the next piece, says so (a `file-changed`
 * event), stops serving it and tells the getter, which exits 1 saying whose copy of which
 * file changed instead of waiting forever. And a sharer whose bytes changed without its
 * noticing (size and mtime kept) ends the getter with "served bad pieces", not with
 * "check that the sharer is running".
 */
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, startGetter, startSharer } from '../share/cli-peers.js';

const SIZE_BYTES = 4 * 1024 * 1024;
/** Whole seconds, so a test can put a rewritten file's mtime back exactly. */
const FIXED_TIME_S = 1_700_000_000;

/** The exit code, or a rejection if the process is still running after boundMs (it hangs). */
function exitWithin(child: CliProcess, boundMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${boundMs} ms:\n${child.stderr}`)), boundMs);
    void child.exited.then((code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function shareAndStartGetting(): Promise<{ path: string; sharer: CliProcess; getter: CliProcess }> {
  const [alice, bob] = makeUsers(['alice', 'bob']);
  const dir = tempDir();
  const path = join(dir, 'big.bin');
  writeFileSync(path, randomBytes(SIZE_BYTES));
  utimesSync(path, FIXED_TIME_S, FIXED_TIME_S);
  // 4 MiB at 512 KiB/s: about 8 s, so the change lands mid-transfer.
  const { child: sharer, magnet } = await startSharer(alice!, path, ['--upload-limit', '512K']);
  const getter = startGetter(bob!, magnet, join(dir, 'out'));
  await getter.waitForEvent((e) => e.event === 'progress' && Number(e.verified) > 0, 20_000, 'some verified progress');
  return { path, sharer, getter };
}

async function expectChangeReported(sharer: CliProcess, getter: CliProcess, reason: RegExp): Promise<void> {
  const changed = await sharer.waitForEvent((e) => e.event === 'file-changed', 15_000, 'file-changed');
  expect(changed.path).toBe('big.bin');
  expect(String(changed.reason)).toMatch(reason);
  expect(await exitWithin(getter, 15_000)).toBe(1);
  expect(getter.stderr).toMatch(/alice's copy of big\.bin changed while you were fetching; ask for a new link/);
  expect(getter.stderr).not.toMatch(/check that the sharer is running/);
  const dropped = getter.events.find((e) => e.event === 'peer-dropped');
  expect(dropped?.name).toBe('alice');
  expect(sharer.hasExited).toBe(false); // the sharer keeps running; it only stops serving that file
}

describe('a shared file changes while a getter fetches it', () => {
  it('truncated: the sharer says so and the getter exits 1 with a clear error', async () => {
    const { path, sharer, getter } = await shareAndStartGetting();
    truncateSync(path, SIZE_BYTES / 4);
    await expectChangeReported(sharer, getter, /size 4194304 -> 1048576 bytes/);
  }, 30_000);

  it('overwritten in place (same size): the sharer says so and the getter exits 1 with a clear error', async () => {
    const { path, sharer, getter } = await shareAndStartGetting();
    const fd = openSync(path, 'r+');
    writeSync(fd, randomBytes(64 * 1024), 0, 64 * 1024, SIZE_BYTES - 64 * 1024);
    closeSync(fd);
    await expectChangeReported(sharer, getter, /modified/);
  }, 30_000);

  it('bytes changed behind the sharer\'s back: the getter says the sharer served bad pieces', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const path = join(dir, 'big.bin');
    writeFileSync(path, randomBytes(SIZE_BYTES));
    utimesSync(path, FIXED_TIME_S, FIXED_TIME_S);
    const { child: sharer, magnet } = await startSharer(alice!, path);
    writeFileSync(path, randomBytes(SIZE_BYTES)); // same inode and size ...
    utimesSync(path, FIXED_TIME_S, FIXED_TIME_S); // ... and mtime: only the hash check can tell
    const getter = startGetter(bob!, magnet, join(dir, 'out'));
    expect(await exitWithin(getter, 20_000)).toBe(1);
    expect(getter.stderr).toMatch(/alice served bad pieces and was dropped: it sent corrupt data \(piece \d+ failed its hash check\)/);
    expect(getter.stderr).not.toMatch(/check that the sharer is running|refused by us/);
    expect(sharer.events.some((e) => e.event === 'file-changed')).toBe(false);
  }, 30_000);
});
