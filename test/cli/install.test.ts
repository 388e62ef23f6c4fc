/**
 * The install a first-time user does: `npm run package` makes a tarball, `npm install -g`
 * of it puts a working `swarm` on the PATH, offline (every dependency is in the tarball),
 * and the installed copy runs `swarm id` and the whole demo from its own files.
 * Takes ~25 s on the idle 2-core VM (pack ~8 s, install ~7 s, demo ~8 s), ~75 s under load.
 */
import { describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cliEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('installing the packed tarball', () => {
  test('npm install -g <tarball> --offline gives a swarm that runs id and the demo', async () => {
    const packDir = tempDir('swarm-pack-out-');
    const prefix = tempDir('swarm-prefix-');
    const home = tempDir('swarm-home-');
    // A directory with nothing of the repo in it: the installed copy must find its own files.
    const elsewhere = tempDir('swarm-cwd-');

    const packed = await run(process.execPath, [join(REPO, 'scripts', 'pack-release.mjs'), packDir], { cwd: REPO });
    const tarball = packed.stdout.trim();
    expect(readdirSync(packDir)).toEqual(['swarm-0.1.0.tgz']);
    expect(tarball).toBe(join(packDir, 'swarm-0.1.0.tgz'));

    // --offline: nothing may come from the registry, so the tarball must carry every dependency.
    await run(NPM, ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], {
      cwd: elsewhere,
      env: { ...process.env, npm_config_cache: join(prefix, 'empty-npm-cache') },
    });
    const bin = join(prefix, 'bin', 'swarm');
    expect(existsSync(bin)).toBe(true);
    expect(realpathSync(bin)).toBe(realpathSync(join(prefix, 'lib', 'node_modules', 'swarm', 'dist', 'cli.cjs')));

    const env = cliEnv(home);
    const id = await run(bin, ['id'], { cwd: elsewhere, env });
    expect(id.stdout.split('\n')[0]).toMatch(/^swarm1[a-z2-7]{58}$/);
    expect(id.stdout).toContain(`home: ${home}`);

    const demo = await run(bin, ['demo'], { cwd: elsewhere, env, timeout: 90_000 });
    expect(demo.stdout).toMatch(/matches fixtures\/demo\/SHA256SUMS/);
    expect(demo.stdout).toMatch(/all \d+ steps worked; cleaned up\./);
  }, 180_000);
});
