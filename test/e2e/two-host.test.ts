/**
 * share/get between two hosts: two network namespaces joined by a veth pair, each
 * with its own address, so the connection crosses a (virtual) network link rather
 * than loopback. Where namespaces cannot be made (not root, no iproute2), the test
 * is skipped and says why in the output.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { createTwoHosts, netnsUnavailableReason, type TwoHosts } from '../helpers/netns.js';
import { tempDir } from '../helpers/temp-home.js';

const unavailable = netnsUnavailableReason();
if (unavailable) console.log(`two-host test skipped: ${unavailable}`);

async function keyOf(home: string): Promise<string> {
  return (await runCli(['id'], { home })).stdout.split('\n')[0]!;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(unavailable !== undefined)('two hosts (network namespaces joined by veth)', () => {
  let hosts: TwoHosts;
  beforeEach(() => {
    hosts = createTwoHosts();
  });
  afterEach(() => hosts.destroy());

  test('share on host A, get on host B across the veth link', async () => {
    const [aliceHome, bobHome, work] = [tempDir(), tempDir(), tempDir()];
    const [aliceKey, bobKey] = [await keyOf(aliceHome), await keyOf(bobHome)];
    expect((await runCli(['trust', 'add', bobKey, '--name', 'bob'], { home: aliceHome })).code).toBe(0);
    expect((await runCli(['trust', 'add', aliceKey, '--name', 'alice'], { home: bobHome })).code).toBe(0);
    const file = join(work, 'payload.bin');
    writeFileSync(file, randomBytes(3 * 1024 * 1024 + 123));

    const sharer = new CliProcess(['share', file, '--host', hosts.addressA, '--port', '0', '--json'], {
      home: aliceHome,
      wrapper: ['ip', 'netns', 'exec', hosts.nsA],
    });
    const ready = await sharer.waitForEvent((event) => event.event === 'ready', 20_000, 'share ready');
    const magnet = String(ready.magnet);
    expect(magnet).toContain(hosts.addressA);

    const outDir = join(work, 'out');
    const getter = new CliProcess(['get', magnet, '-o', outDir, '--json'], {
      home: bobHome,
      wrapper: ['ip', 'netns', 'exec', hosts.nsB],
    });
    expect(await getter.exited).toBe(0);
    expect(sha256(readFileSync(join(outDir, 'payload.bin')))).toBe(sha256(readFileSync(file)));
    await sharer.stop();
  });
});
