import { describe, expect, test } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI_PATH, expectCleanFailure, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';

async function keyOf(home: string): Promise<string> {
  const result = await runCli(['id'], { home });
  expect(result.code).toBe(0);
  return result.stdout.split('\n')[0]!;
}

describe('swarm id', () => {
  test('first stdout line is the key; --json has key and fingerprint; stable across runs', async () => {
    const home = tempDir();
    const key = await keyOf(home);
    expect(key).toMatch(/^swarm1[a-z2-7]{58}$/);
    const json = await runCli(['id', '--json'], { home });
    const parsed = JSON.parse(json.stdout.trim());
    expect(parsed.key).toBe(key);
    expect(parsed.fingerprint).toMatch(/^[0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}$/);
    expect(await keyOf(home)).toBe(key);
  });

  test('--qr draws a QR code under the key text', async () => {
    const home = tempDir();
    const result = await runCli(['id', '--qr'], { home });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(await keyOf(home));
    const qrLines = lines.filter((line) => /^[ ▀▄█]+$/.test(line));
    expect(qrLines.length).toBeGreaterThan(15);
    expect(new Set(qrLines.map((line) => line.length)).size).toBe(1);
  });

  test('a reader that closes the pipe early (swarm id | head -1) is not a crash', () => {
    const home = tempDir();
    const withStderr = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI_PATH}" id --qr | head -c 10`], {
      env: { ...process.env, SWARM_HOME: home },
      encoding: 'utf8',
    });
    expect(withStderr.stdout).toMatch(/^swarm1/);
    expect(withStderr.stderr).not.toMatch(/EPIPE|at /);
  });

  test('an unwritable home is one clear line, exit 1', async () => {
    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, '');
    expectCleanFailure(await runCli(['id'], { home: join(file, 'home') }), 1, /cannot write .*ENOTDIR.*SWARM_HOME/);
  });

  test('help shows an example for each command', async () => {
    for (const args of [['id', '--help'], ['trust', 'add', '--help'], ['trust', 'list', '--help'], ['trust', 'remove', '--help']]) {
      const result = await runCli(args, { home: tempDir() });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Example/);
    }
  });
});

describe('swarm trust', () => {
  test('add, list --json, remove by name and by key', async () => {
    const home = tempDir();
    const aliceKey = await keyOf(tempDir());
    const bobKey = await keyOf(tempDir());
    expect((await runCli(['trust', 'add', aliceKey, '--name', 'alice'], { home })).code).toBe(0);
    expect((await runCli(['trust', 'add', bobKey, '--name', 'bob'], { home })).code).toBe(0);
    const listed = JSON.parse((await runCli(['trust', 'list', '--json'], { home })).stdout);
    expect(listed.map((e: { name: string; key: string }) => [e.name, e.key])).toEqual([['alice', aliceKey], ['bob', bobKey]]);
    expect(Date.parse(listed[0].added)).not.toBeNaN();
    expect((await runCli(['trust', 'list'], { home })).stdout).toMatch(/^alice\s+swarm1/m);
    expect((await runCli(['trust', 'remove', 'alice'], { home })).code).toBe(0);
    expect((await runCli(['trust', 'remove', bobKey], { home })).code).toBe(0);
    expect(JSON.parse((await runCli(['trust', 'list', '--json'], { home })).stdout)).toEqual([]);
  });

  test('malformed key, duplicate, unknown name: exit 1, one line, nothing lost', async () => {
    const home = tempDir();
    const aliceKey = await keyOf(tempDir());
    await runCli(['trust', 'add', aliceKey, '--name', 'alice'], { home });
    const typo = aliceKey.slice(0, 20) + (aliceKey[20] === 'a' ? 'b' : 'a') + aliceKey.slice(21);
    expectCleanFailure(await runCli(['trust', 'add', typo, '--name', 'x'], { home }), 1, /not a valid swarm key.*checksum/);
    expectCleanFailure(await runCli(['trust', 'add', aliceKey, '--name', 'again'], { home }), 1, /already trusted as "alice"/);
    expectCleanFailure(await runCli(['trust', 'remove', 'carol'], { home }), 1, /no trusted key is named or equal to "carol".*trust list/);
    const listed = JSON.parse((await runCli(['trust', 'list', '--json'], { home })).stdout);
    expect(listed.map((e: { name: string }) => e.name)).toEqual(['alice']);
  });

  test('a corrupt store is reported, not replaced', async () => {
    const home = tempDir();
    await runCli(['trust', 'add', await keyOf(tempDir()), '--name', 'alice'], { home });
    const path = join(home, 'trust.json');
    writeFileSync(path, '{"version":1,"peers":[{"na');
    expectCleanFailure(await runCli(['trust', 'list'], { home }), 1, /trust store .* is damaged/);
    expectCleanFailure(await runCli(['trust', 'add', await keyOf(tempDir())], { home }), 1, /damaged/);
    expect(readFileSync(path, 'utf8')).toBe('{"version":1,"peers":[{"na');
    chmodSync(path, 0o600);
  });

  test('usage errors exit 2 with one line', async () => {
    const home = tempDir();
    expectCleanFailure(await runCli(['trust', 'add'], { home }), 2, /missing required argument/);
    expectCleanFailure(await runCli(['nonsense'], { home }), 2, /unknown command/);
    expectCleanFailure(await runCli(['trust', 'add', await keyOf(tempDir()), '--name', '../x'], { home }), 2, /invalid name/);
  });
});
