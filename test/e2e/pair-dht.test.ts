/**
 * `swarm pair` across networks: with LAN beacons off, the joiner finds the waiting side in a
 * private DHT (20 real bittorrent-dht nodes on loopback, in one child process) by the code's
 * number alone. A code announced in the DHT has a number from 1000 up; a stranger's DHT node
 * sees no word of the code in any datagram it receives.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv, expectCleanFailure, runCli } from '../helpers/cli.js';
import { keyOf, trustedKeys } from '../helpers/identity-cli.js';
import { startPrivateDht, type PrivateDht } from '../helpers/private-dht.js';
import { tempDir } from '../helpers/temp-home.js';

let dht: PrivateDht;
const captureDir = mkdtempSync(join(tmpdir(), 'swarm-pair-dht-capture-'));
const capturePath = join(captureDir, 'stranger.hex');

beforeAll(async () => {
  dht = await startPrivateDht({ count: 20, subnet: '127.0.43', capturePath });
}, 60_000);
afterAll(async () => {
  await dht?.stop();
  rmSync(captureDir, { recursive: true, force: true });
});

const dhtEnv = (home: string) => cliEnv(home, dht.env); // LAN stays off (cliEnv's default)

describe('swarm pair finds the waiting side through the DHT (LAN off)', () => {
  it('the joiner pairs by the code alone; the code has a wide number; a stranger DHT node sees no word of it', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const waiter = new CliProcess(['pair', '--host', '127.0.0.2', '--port', '0', '--json', '--yes', '--name', 'bob', '--timeout', '2m'], { home: homeA, env: dhtEnv(homeA) });
    const event = await waiter.waitForEvent((e) => e.event === 'code', 30_000, 'the code event');
    const code = String(event.code);
    expect(event).toMatchObject({ lan: false, dht: true });
    expect(Number(code.split('-')[0])).toBeGreaterThanOrEqual(1000);
    // The joiner connects from loopback, so loopback answers from the DHT are dialable for it.
    const joiner = new CliProcess(['pair', code, '--host', '127.0.0.3', '--json', '--yes', '--name', 'alice', '--timeout', '90s'], { home: homeB, env: dhtEnv(homeB) });
    expect(await joiner.exited, joiner.stderr).toBe(0);
    expect(await waiter.exited, waiter.stderr).toBe(0);
    expect(await trustedKeys(homeA)).toEqual([await keyOf(homeB)]);
    expect(await trustedKeys(homeB)).toEqual([await keyOf(homeA)]);

    const captured = readFileSync(capturePath, 'utf8').trim().split('\n').filter(Boolean).map((line) => Buffer.from(line, 'hex'));
    expect(captured.length).toBeGreaterThan(0);
    for (const datagram of captured) {
      const text = datagram.toString('latin1').toLowerCase();
      for (const word of code.split('-').slice(1)) expect(text).not.toContain(word);
    }
  }, 150_000);

  it('a number nobody announced: one clear line naming where it looked, after --timeout', async () => {
    const home = tempDir();
    const result = await runCli(['pair', '4242-crossover-clockwork-indigo', '--host', '127.0.0.4', '--timeout', '4s'], { home, env: dhtEnv(home), timeoutMs: 60_000 });
    expectCleanFailure(result, 1, /^swarm: nobody is waiting with a code that starts with 4242 \(looked in the DHT for 4 s\)/);
  }, 90_000);
});
