/**
 * What `swarm share <folder>` sends, through the built CLI with a real getter: only the
 * regular files inside the folder (a link to ../secret.txt once shipped SECRET, and a
 * `sub/up -> ..` loop ended in `internal error: ELOOP`), what it prints before serving,
 * hidden names, the piece-hash cache across restarts (a changed file is hashed again),
 * and the warnings for an empty trust list and a taken default port.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PORT } from '../../src/net/swarm-node.js';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { CliProcess, type JsonEvent } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, startGetter, startSharer, type TestUser } from '../share/cli-peers.js';

const MiB = 1024 * 1024;

/** Every file under dir (relative paths), without following links. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(join(dir, entry.name), rel) : [rel];
  });
}

/** proj/ with two real files, links out, in and around, a hidden folder; secret.txt beside it. */
function makeProject(dir: string): string {
  writeFileSync(join(dir, 'secret.txt'), 'SECRET\n');
  const proj = join(dir, 'proj');
  mkdirSync(join(proj, 'sub'), { recursive: true });
  mkdirSync(join(proj, '.git'));
  writeFileSync(join(proj, 'a.txt'), 'alpha\n');
  writeFileSync(join(proj, 'sub', 'b.txt'), 'beta\n');
  writeFileSync(join(proj, '.git', 'config'), '[core]\n');
  symlinkSync('../secret.txt', join(proj, 'link'));
  symlinkSync(join(dir, 'secret.txt'), join(proj, 'sub', 'absolute-link'));
  symlinkSync('..', join(proj, 'sub', 'up'));
  symlinkSync('a.txt', join(proj, 'alias'));
  return proj;
}

async function getAll(user: TestUser, magnet: string, out: string, extra: string[] = []): Promise<JsonEvent> {
  const getter = startGetter(user, magnet, out, extra);
  const done = await getter.waitForEvent((e) => e.event === 'done', 40_000, 'done');
  expect(await getter.exited).toBe(0);
  return done;
}

describe('swarm share <folder>: only what is inside', () => {
  it('skips links out of the folder and loops, says so, and the getter receives no SECRET', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const proj = makeProject(dir);
    const { child, magnet } = await startSharer(alice!, proj);
    const listing = child.events.find((e) => e.event === 'listing')!;
    expect(listing).toMatchObject({ name: 'proj', files: 2, bytes: 11, skippedCount: 5 });
    expect(listing.skipped).toEqual([
      { path: 'proj/.git', reason: 'hidden' },
      { path: 'proj/alias', reason: 'link-inside', target: 'a.txt' },
      { path: 'proj/link', reason: 'link-outside', target: '../secret.txt' },
      { path: 'proj/sub/absolute-link', reason: 'link-outside', target: join(dir, 'secret.txt') },
      { path: 'proj/sub/up', reason: 'link-inside', target: '..' },
    ]);

    const out = join(dir, 'out');
    await getAll(bob!, magnet, out);
    expect(filesUnder(out).sort()).toEqual([join('proj', 'a.txt'), join('proj', 'sub', 'b.txt')]);
    for (const file of filesUnder(out)) expect(readFileSync(join(out, file), 'utf8')).not.toContain('SECRET');
    expect(sameFile(join(proj, 'sub', 'b.txt'), join(out, 'proj', 'sub', 'b.txt'))).toBe(true);
  }, 60_000);

  it('prints what is shared and each skipped entry before serving', async () => {
    const [alice] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const proj = makeProject(dir);
    const child = new CliProcess(['share', proj, '--host', '127.0.0.1', '--port', '0'], { home: alice!.home });
    await child.waitForStderr(/on port \d+/, 30_000);
    const stderr = child.stderr;
    expect(stderr).toContain(
      'sharing proj/: 2 files, 11 B (1 hidden name skipped, 2 symlinks inside the folder skipped, 2 symlinks outside the folder skipped)\n',
    );
    expect(stderr).toContain('  skipped proj/link -> ../secret.txt: symlink to outside the folder (never followed)\n');
    expect(stderr).toContain('  skipped proj/sub/up -> ..: symlink inside the folder (links are never followed)\n');
    expect(stderr.indexOf('sharing proj/:')).toBeLessThan(stderr.indexOf('on port'));
    expect(stderr).not.toMatch(/internal error|ELOOP/);
  }, 40_000);

  it('refuses, in one line, a folder in which nothing can be shared', async () => {
    const [alice] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    mkdirSync(join(dir, 'links'));
    symlinkSync('/etc/passwd', join(dir, 'links', 'passwd'));
    symlinkSync('..', join(dir, 'links', 'up'));
    const result = await runCli(['share', join(dir, 'links'), '--host', '127.0.0.1', '--port', '0'], { home: alice!.home });
    expectCleanFailure(result, 1, /^swarm: cannot share .*links: nothing in it can be shared \(2 entries skipped\) \(hint: .*never follows symlinks/);
  }, 30_000);

  it('shares hidden names only with --include-hidden, and then tells the sharer getters need --allow-hidden', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const proj = makeProject(dir);
    const { child, magnet } = await startSharer(alice!, proj, ['--include-hidden']);
    expect(child.events.find((e) => e.event === 'warning' && e.code === 'HIDDEN_NAMES')?.message).toMatch(/\.git.*--allow-hidden/);
    const out = join(dir, 'out');
    await getAll(bob!, magnet, out, ['--allow-hidden']);
    expect(readFileSync(join(out, 'proj', '.git', 'config'), 'utf8')).toBe('[core]\n');
    expect(existsSync(join(out, 'proj', 'link'))).toBe(false);
  }, 60_000);
});

const infoHashOf = (magnet: string) => /btih:([0-9a-f]{40})/.exec(magnet)![1];

describe('swarm share: piece hashes', () => {
  const hashingEvents = (child: CliProcess) => child.events.filter((e) => e.event === 'hashing');

  it('reports hashing progress, reuses cached hashes on an unchanged restart, and hashes a changed file again', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'data.bin');
    writeFileSync(source, randomBytes(6 * MiB + 3));

    const first = await startSharer(alice!, source);
    const cold = hashingEvents(first.child);
    expect(cold[0]).toEqual({ event: 'hashing', done: 0, total: 6 * MiB + 3, cached: false });
    expect(cold.at(-1)).toEqual({ event: 'hashing', done: 6 * MiB + 3, total: 6 * MiB + 3, cached: false });
    expect(readdirSync(join(alice!.home, 'share-cache'))).toHaveLength(1);
    await first.child.stop();

    const second = await startSharer(alice!, source);
    expect(hashingEvents(second.child)).toEqual([{ event: 'hashing', done: 6 * MiB + 3, total: 6 * MiB + 3, cached: true }]);
    expect(infoHashOf(second.magnet)).toBe(infoHashOf(first.magnet));
    await second.child.stop();

    // Same size, new bytes, and the old mtime put back: the inode change time still differs.
    const { atime, mtime } = statSync(source);
    const changed = randomBytes(6 * MiB + 3);
    writeFileSync(source, changed);
    utimesSync(source, atime, mtime);
    const third = await startSharer(alice!, source);
    expect(hashingEvents(third.child).every((e) => e.cached === false)).toBe(true);
    expect(infoHashOf(third.magnet)).not.toBe(infoHashOf(first.magnet));
    const out = join(dir, 'out');
    await getAll(bob!, third.magnet, out);
    expect(readFileSync(join(out, 'data.bin')).equals(changed)).toBe(true);
  }, 90_000);
});

describe('swarm share: warnings before serving', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('warns when nobody is trusted yet, and not otherwise', async () => {
    const [loner] = makeUsers(['loner']);
    const [alice] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    writeFileSync(join(dir, 'f.txt'), 'x');
    const warned = new CliProcess(['share', join(dir, 'f.txt'), '--host', '127.0.0.1', '--port', '0'], { home: loner!.home });
    await warned.waitForLine(/^magnet:\?/, 30_000);
    expect(warned.stderr).toContain('warning: your trust list is empty, so nobody can fetch this yet: swarm trust add <their key>\n');
    const quiet = new CliProcess(['share', join(dir, 'f.txt'), '--host', '127.0.0.1', '--port', '0'], { home: alice!.home });
    await quiet.waitForLine(/^magnet:\?/, 30_000);
    expect(quiet.stderr).not.toContain('nobody can fetch');
  }, 40_000);

  it('says loudly that the default port was taken and which port it listens on instead', async () => {
    const host = '127.0.0.23';
    const blocker = createServer();
    servers.push(blocker);
    // Taken by us, or already by someone else: either way the share cannot have it.
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen(DEFAULT_PORT, host, () => resolve());
    });
    const [alice] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    writeFileSync(join(dir, 'f.txt'), 'x');
    const child = new CliProcess(['share', join(dir, 'f.txt'), '--host', host, '--json'], { home: alice!.home });
    const ready = await child.waitForEvent((e) => e.event === 'ready', 30_000, 'ready');
    expect(ready.port).not.toBe(DEFAULT_PORT);
    const warning = child.events.find((e) => e.event === 'warning' && e.code === 'PORT_FALLBACK');
    expect(warning).toMatchObject({ requestedPort: DEFAULT_PORT, port: ready.port });
    expect(warning!.message).toContain(`port ${DEFAULT_PORT} is taken; listening on ${ready.port} instead — friends behind a firewall rule for ${DEFAULT_PORT} cannot reach you`);
  }, 40_000);
});
