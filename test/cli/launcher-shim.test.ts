/**
 * The bin is dist/cli.cjs (a CommonJS launcher: no ES module loader to set up at every start);
 * `node dist/cli.js`, which the README and older scripts use, must still run the same CLI with
 * the same arguments and exit codes.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliEnv, CLI_PATH } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';

const run = promisify(execFile);
const SHIM = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

describe('node dist/cli.js', () => {
  it('is the bin, dist/cli.cjs, by another name: same identity, same one-line error and exit code', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> };
    expect(manifest.bin.swarm).toBe('dist/cli.cjs');
    expect(CLI_PATH.endsWith('dist/cli.cjs')).toBe(true);
    const home = tempDir('swarm-home-');
    const viaBin = await run(process.execPath, [CLI_PATH, 'id'], { env: cliEnv(home) });
    const viaShim = await run(process.execPath, [SHIM, 'id'], { env: cliEnv(home) });
    expect(viaShim.stdout).toBe(viaBin.stdout);
    expect(viaShim.stdout).toMatch(/^swarm1[a-z2-7]{58}\n/);
    const badKey = (cli: string) => run(process.execPath, [cli, 'trust', 'add', 'not-a-key', '--name', 'x'], { env: cliEnv(home) }).then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }));
    const [binFailure, shimFailure] = await Promise.all([badKey(CLI_PATH), badKey(SHIM)]);
    expect(binFailure.code).toBe(1);
    expect(shimFailure).toEqual(binFailure);
    expect(shimFailure.stderr.trim().split('\n')).toHaveLength(1);
  });
});
