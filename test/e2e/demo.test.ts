import { describe, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';

describe('swarm demo (what npm start runs)', () => {
  test('every step works, says what it proved, and cleans up its temp dir', async () => {
    const result = await runCli(['demo'], { home: tempDir(), timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const proved = result.stdout.match(/^ {2}ok: .+$/gm) ?? [];
    expect(proved).toHaveLength(6);
    expect(result.stdout).toMatch(/all 6 steps worked; cleaned up\./);
    // v2: alice's node is silent to mallory, so mallory's get can only say it got no answer.
    expect(result.stdout).toMatch(/mallory's swarm get exited 1: .*no answer to the secure handshake.*does not trust your key/);
    const root = /homes in (\S+)/.exec(result.stdout)?.[1];
    expect(root).toBeDefined();
    expect(existsSync(root!)).toBe(false);
  }, 150_000); // mallory's step now waits out alice's silence (the 5 s handshake deadline)
});
