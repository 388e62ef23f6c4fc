/**
 * What a first-time user trips over (issue 16), run as they would run it: the built CLI,
 * a real shell where the shell is the problem.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildMagnetLink } from '../../src/share/magnet-link.js';
import { CLI_PATH, cliEnv, expectCleanFailure, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';

const INFOHASH = 'ab'.repeat(20);

async function idOf(home: string): Promise<{ key: string; fingerprint: string }> {
  const result = await runCli(['id', '--json'], { home });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout.trim()) as { key: string; fingerprint: string };
}

async function trustedCount(home: string): Promise<number> {
  const result = await runCli(['trust', 'list', '--json'], { home });
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout.trim()) as unknown[]).length;
}

describe('usage errors exit 2 and say where to look', () => {
  test('swarm with no command prints the usage on stderr and exits 2; --help is not an error', async () => {
    const bare = await runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^Usage: swarm \[options\] \[command\]/);
    expect(bare.stderr).toMatch(/\n\s+get \[options\] <magnet>/);

    const trust = await runCli(['trust']);
    expect(trust.code).toBe(2);
    expect(trust.stderr).toMatch(/^Usage: swarm trust/);

    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: swarm/);
  });

  test("a command missing its argument points at that command's own --help", async () => {
    expectCleanFailure(await runCli(['get']), 2, /^swarm: missing required argument 'magnet' \(see 'swarm get --help'\)$/);
    expectCleanFailure(await runCli(['trust', 'add']), 2, /^swarm: missing required argument 'key' \(see 'swarm trust add --help'\)$/);
    expectCleanFailure(await runCli(['share', '.', '--bogus']), 2, /^swarm: unknown option '--bogus' \(see 'swarm share --help'\)$/);
    expectCleanFailure(await runCli(['bogus']), 2, /^swarm: unknown command 'bogus' \(see 'swarm --help'\)$/);
  });
});

describe('trust add of the wrong thing', () => {
  test('a fingerprint pasted where a key belongs is named as one, and nothing is trusted', async () => {
    const home = tempDir();
    const friend = await idOf(tempDir());
    for (const text of [friend.fingerprint, friend.fingerprint.toUpperCase(), friend.fingerprint.replace(/:/g, '')]) {
      expectCleanFailure(
        await runCli(['trust', 'add', text, '--name', 'friend'], { home }),
        1,
        /is a fingerprint, not a key \(hint: ask for the full key that starts with swarm1…/,
      );
    }
    expect(await trustedCount(home)).toBe(0);
    expect((await runCli(['trust', 'add', friend.key, '--name', 'friend'], { home })).code).toBe(0);
    expect(await trustedCount(home)).toBe(1);
  });

  test('your own key is refused', async () => {
    const home = tempDir();
    const own = await idOf(home);
    for (const text of [own.key, own.key.toUpperCase()]) {
      expectCleanFailure(await runCli(['trust', 'add', text, '--name', 'me'], { home }), 1, /that is your own key/);
    }
    expect(await trustedCount(home)).toBe(0);
  });
});

describe('--upload-limit units', () => {
  test('10mb, 10MB, 10MiB and 10m are all accepted; 10mbit is a usage error', async () => {
    const home = tempDir();
    const missing = join(tempDir(), 'missing.bin');
    // The rate is parsed before the path is opened: reaching the path error means it was accepted.
    for (const rate of ['10mb', '10MB', '10MiB', '10mib', '10m', '512kb/s']) {
      expectCleanFailure(await runCli(['share', missing, '--upload-limit', rate], { home }), 1, /cannot share .*missing\.bin/);
    }
    expectCleanFailure(
      await runCli(['share', missing, '--upload-limit', '10mbit'], { home }),
      2,
      /^swarm: invalid rate "10mbit" \(hint: give bytes per second with an optional k, M or G suffix/,
    );
  });
});

describe('a magnet link pasted without quotes', () => {
  test('the shell cuts it at the first &; swarm get says to quote it', () => {
    const home = tempDir();
    const link = buildMagnetLink({
      infoHash: INFOHASH,
      name: 'notes.txt',
      length: 1234,
      peers: [{ host: '127.0.0.1', port: 9 }],
    });
    // Exactly what a user types: the link unquoted. sh runs `swarm get magnet:?xt=…` in the
    // background and treats the rest as further commands; `wait` collects the swarm's exit.
    const shell = spawnSync('sh', ['-c', `'${process.execPath}' '${CLI_PATH}' get ${link}; wait`], {
      cwd: tempDir(),
      env: cliEnv(home),
      encoding: 'utf8',
      timeout: 30_000,
    });
    const swarmLines = shell.stderr.split('\n').filter((line) => line.startsWith('swarm:'));
    expect(swarmLines).toHaveLength(1);
    expect(swarmLines[0]).toMatch(/names no address.*put the link in single quotes: swarm get 'magnet:\?…'/);
  });

  test('the same link quoted, or a link with anything beyond xt, gets no quoting advice', async () => {
    const home = tempDir();
    expectCleanFailure(
      await runCli(['get', `magnet:?xt=urn:btih:${INFOHASH}`], { home }),
      1,
      /names no address.*single quotes: swarm get 'magnet:\?…'.*--peer host:port/,
    );
    const withName = await runCli(['get', `magnet:?xt=urn:btih:${INFOHASH}&dn=notes.txt`], { home });
    expectCleanFailure(withName, 1, /names no address.*--peer host:port/);
    expect(withName.stderr).not.toMatch(/quotes/);
  });
});
