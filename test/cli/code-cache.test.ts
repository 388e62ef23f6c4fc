/**
 * The launcher's V8 code cache (scripts/cli-launcher.cjs, written to dist/cli.cjs by the build):
 * made on a run that had none, used as is afterwards, and never trusted blindly: a corrupted
 * file (which V8 itself would run, and crash on), one made for another bundle, one V8
 * rejects (made under other V8 flags) are each ignored and replaced, an unwritable cache
 * place only means running without one. Each test runs the real CLI from its own copy of
 * dist/ (with the repo's node_modules linked), so the repo's cache is never touched.
 * Needs a fresh `npm run build`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CACHE_NAME = `id-${process.version}-${process.arch}.bin`;

/** A copy of the built package without any code cache; returns its paths. */
function copyOfBuild() {
  const root = tempDir('swarm-code-cache-');
  cpSync(join(REPO, 'dist'), join(root, 'dist'), { recursive: true, filter: (path) => !path.includes('code-cache') });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  const cacheDir = join(root, 'dist', 'bundle', 'code-cache');
  return { cli: join(root, 'dist', 'cli.cjs'), cacheDir, cacheFile: join(cacheDir, CACHE_NAME), home: tempDir('swarm-home-') };
}

/** `swarm id` with the given node flags: its key line, and the whole stderr (must stay empty). */
async function swarmId(build: ReturnType<typeof copyOfBuild>, nodeFlags: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
  const { stdout, stderr } = await run(process.execPath, [...nodeFlags, build.cli, 'id'], { env: cliEnv(build.home, extraEnv) });
  return { keyLine: stdout.split('\n')[0], stderr };
}

/** Identity of a file version: a rewrite (temporary file renamed over it) changes the inode. */
const inodeOf = (path: string) => statSync(path).ino;

describe('the code cache', () => {
  it('is made by the first run and used, not rewritten, by the next; output is the same', async () => {
    const build = copyOfBuild();
    expect(existsSync(build.cacheDir)).toBe(false);
    const first = await swarmId(build);
    expect(first.keyLine).toMatch(/^swarm1[a-z2-7]{58}$/);
    expect(first.stderr).toBe('');
    expect(readdirSync(build.cacheDir)).toEqual([CACHE_NAME]);
    const inode = inodeOf(build.cacheFile);
    const second = await swarmId(build);
    expect(second).toEqual(first);
    expect(inodeOf(build.cacheFile)).toBe(inode);
  });

  it('ignores a corrupted cache file (V8 would crash on it) and replaces it', async () => {
    const build = copyOfBuild();
    const expected = await swarmId(build);
    const good = readFileSync(build.cacheFile);
    const corrupt = Buffer.from(good);
    // Flip bytes all through V8's part (after the 32-byte hash): code, not just a header.
    for (let at = 64; at < corrupt.length; at += 997) corrupt[at] ^= 0xff;
    writeFileSync(build.cacheFile, corrupt);
    expect(await swarmId(build)).toEqual(expected);
    const replaced = readFileSync(build.cacheFile);
    expect(replaced.equals(corrupt)).toBe(false);
    // The replacement is whole and valid: the next run keeps it.
    const inode = inodeOf(build.cacheFile);
    expect(await swarmId(build)).toEqual(expected);
    expect(inodeOf(build.cacheFile)).toBe(inode);
  });

  it('ignores a cache made for another bundle (same length, other code)', async () => {
    const build = copyOfBuild();
    const expected = await swarmId(build);
    const inode = inodeOf(build.cacheFile);
    // A rebuild changes the id the launcher binds its caches to.
    const launcher = readFileSync(build.cli, 'utf8');
    const rebuilt = launcher.replace(/const BUNDLE_ID = '([0-9a-f]+)'/, (_line, id: string) => `const BUNDLE_ID = '${id.split('').reverse().join('')}'`);
    expect(rebuilt).not.toBe(launcher);
    writeFileSync(build.cli, rebuilt);
    expect(await swarmId(build)).toEqual(expected);
    expect(inodeOf(build.cacheFile)).not.toBe(inode);
  });

  it('ignores a cache whose script was edited in place (same length, same id in the launcher)', async () => {
    const build = copyOfBuild();
    const expected = await swarmId(build);
    const inode = inodeOf(build.cacheFile);
    const script = join(build.cli, '..', 'bundle', 'cli-script.js');
    const source = readFileSync(script, 'latin1');
    // One character of a string the CLI never prints, length unchanged: V8 itself would accept the old cache.
    const edited = source.replace('swarm fetches nothing over HTTP', 'swarm fetches nothing over HTTp');
    expect(edited).not.toBe(source);
    expect(edited.length).toBe(source.length);
    writeFileSync(script, edited, 'latin1');
    const later = new Date(Date.now() + 5000);
    utimesSync(script, later, later);
    expect(await swarmId(build)).toEqual(expected);
    expect(inodeOf(build.cacheFile)).not.toBe(inode);
  });

  it('makes no cache from a run that only printed help or the version', async () => {
    const build = copyOfBuild();
    for (const args of [['--version'], ['id', '--help'], ['help']]) {
      await run(process.execPath, [build.cli, ...args], { env: cliEnv(build.home) });
    }
    expect(existsSync(build.cacheDir)).toBe(false);
  });

  it('neither uses nor writes a cache in a folder others may write to (umask 0 on a shared install)', async () => {
    const build = copyOfBuild();
    const expected = await swarmId(build);
    chmodSync(build.cacheDir, 0o777);
    const planted = readFileSync(build.cacheFile);
    rmSync(build.cacheFile);
    expect(await swarmId(build)).toEqual(expected);
    expect(readdirSync(build.cacheDir)).toEqual([]); // not written into a folder anyone could plant in
    writeFileSync(build.cacheFile, planted); // a valid file, but where others could have put it
    chmodSync(build.cacheFile, 0o666);
    chmodSync(build.cacheDir, 0o755);
    expect(await swarmId(build)).toEqual(expected);
    expect(statSync(build.cacheFile).mode & 0o777).toBe(0o644); // replaced by one of ours
  });

  it('creates its folder 0755 and files 0644 whatever the umask', async () => {
    const build = copyOfBuild();
    await run('sh', ['-c', `umask 0 && exec "${process.execPath}" "${build.cli}" id`], { env: cliEnv(build.home) });
    expect(statSync(build.cacheDir).mode & 0o777).toBe(0o755);
    expect(statSync(build.cacheFile).mode & 0o777).toBe(0o644);
  });

  it('replaces a cache V8 rejects (made under other V8 flags)', async () => {
    const build = copyOfBuild();
    const expected = await swarmId(build, ['--stack-size=2000']);
    const inode = inodeOf(build.cacheFile);
    expect(await swarmId(build)).toEqual(expected);
    expect(inodeOf(build.cacheFile)).not.toBe(inode);
    const again = inodeOf(build.cacheFile);
    expect(await swarmId(build)).toEqual(expected);
    expect(inodeOf(build.cacheFile)).toBe(again);
  });

  it('runs without a cache where none can be written, and with SWARM_CODE_CACHE=0', async () => {
    const build = copyOfBuild();
    writeFileSync(build.cacheDir, 'a file where the cache folder would go');
    const blocked = await swarmId(build);
    expect(blocked.keyLine).toMatch(/^swarm1[a-z2-7]{58}$/);
    expect(blocked.stderr).toBe('');
    expect(statSync(build.cacheDir).isFile()).toBe(true);
    rmSync(build.cacheDir);
    expect(await swarmId(build, [], { SWARM_CODE_CACHE: '0' })).toEqual(blocked);
    expect(existsSync(build.cacheDir)).toBe(false);
  });

  it('is written whole by concurrent first runs (temporary files renamed into place), and not after a failed run', async () => {
    const build = copyOfBuild();
    await expect(run(process.execPath, [build.cli, 'trust', 'add', 'not-a-key'], { env: cliEnv(build.home) })).rejects.toMatchObject({ code: 1 });
    expect(existsSync(build.cacheDir)).toBe(false);
    const results = await Promise.all(Array.from({ length: 4 }, () => swarmId(build)));
    for (const result of results) expect(result).toEqual(results[0]);
    expect(readdirSync(build.cacheDir)).toEqual([CACHE_NAME]);
    const inode = inodeOf(build.cacheFile);
    expect(await swarmId(build)).toEqual(results[0]);
    expect(inodeOf(build.cacheFile)).toBe(inode);
  });
});
