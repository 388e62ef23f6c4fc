/**
 * `swarm pair` finds the waiting side on the local network from the code alone (real CLI
 * processes, loopback multicast on a UDP port of this file's own): the joiner needs no
 * --peer, pairs with the waiter of its number and not another, a number nobody waits for
 * ends in one clear line without touching the waiters' codes, and a stranger listening on
 * the group hears well-formed beacons that hold no word of the code.
 */
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBeacon } from '../../src/discovery/beacon-codec.js';
import { rendezvousKey } from '../../src/discovery/pairing-rendezvous.js';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv, expectCleanFailure, runCli } from '../helpers/cli.js';
import { keyOf, trustedKeys } from '../helpers/identity-cli.js';
import { sniffLan } from '../helpers/lan-sniffer.js';
import { tempDir } from '../helpers/temp-home.js';

const LAN_PORT = 30000 + (process.pid % 20000);
const LAN_ENV = { SWARM_NO_LAN: '0', SWARM_LAN_PORT: String(LAN_PORT), SWARM_LAN_INTERFACE: '127.0.0.1' };

const sockets: Socket[] = [];
const processes: CliProcess[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
});

const sniff = () => sniffLan(LAN_PORT, sockets);

function lanCli(args: string[], home: string): CliProcess {
  const process = new CliProcess(args, { home, env: cliEnv(home, LAN_ENV) });
  processes.push(process);
  return process;
}

async function startWaiter(home: string, name: string): Promise<{ process: CliProcess; code: string; lan: unknown }> {
  const process = lanCli(['pair', '--host', '127.0.0.1', '--port', '0', '--json', '--yes', '--name', name, '--timeout', '2m'], home);
  const event = await process.waitForEvent((e) => e.event === 'code', 20_000, 'the code event');
  return { process, code: event.code as string, lan: event.lan };
}

describe('swarm pair on one network: the code alone finds the waiting side', () => {
  it('the joiner pairs with the waiter of its number among two waiters, and a stranger hears no word of the code', async () => {
    const captured = await sniff();
    const [homeA, homeB, homeC] = [tempDir(), tempDir(), tempDir()];
    const first = await startWaiter(homeA, 'bob');
    let other = await startWaiter(homeC, 'dave');
    // Two waiters with one number would be a test of luck, not of the rendezvous.
    while (other.code.split('-')[0] === first.code.split('-')[0]) {
      await other.process.stop('SIGKILL');
      other = await startWaiter(homeC, 'dave');
    }
    expect(first.lan).toBe(true);
    const joiner = lanCli(['pair', first.code, '--json', '--yes', '--name', 'alice'], homeB);
    expect(await joiner.exited, joiner.stderr).toBe(0);
    expect(await first.process.exited, first.process.stderr).toBe(0);
    expect(await trustedKeys(homeA)).toEqual([await keyOf(homeB)]);
    expect(await trustedKeys(homeB)).toEqual([await keyOf(homeA)]);
    // The other waiter was not dialled: it still waits, trusting nobody.
    expect(other.process.hasExited).toBe(false);
    expect(await trustedKeys(homeC)).toEqual([]);

    expect(captured.length).toBeGreaterThan(2);
    const number = Number(first.code.split('-')[0]);
    for (const datagram of captured) {
      expect(decodeBeacon(datagram), 'every datagram is a well-formed beacon').toBeDefined();
      const text = datagram.toString('latin1').toLowerCase();
      for (const word of first.code.split('-').slice(1)) expect(text).not.toContain(word);
      expect(datagram.indexOf(Buffer.from(rendezvousKey(number)).subarray(0, 8))).toBe(-1);
    }
  }, 90_000);

  it('a number nobody waits for: one clear line after --timeout, and the waiting code still works', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const waiter = await startWaiter(homeA, 'bob');
    const [number, ...words] = waiter.code.split('-');
    const otherNumber = (Number(number) % 999) + 1;
    const lost = await runCli(['pair', [otherNumber, ...words].join('-'), '--yes', '--timeout', '3s'], { home: homeB, env: cliEnv(homeB, LAN_ENV), timeoutMs: 30_000 });
    expectCleanFailure(lost, 1, new RegExp(`^swarm: nobody is waiting with a code that starts with ${otherNumber} \\(looked on this network for 3 s\\)`));
    expect(waiter.process.hasExited).toBe(false);
    const joiner = lanCli(['pair', waiter.code, '--json', '--yes'], homeB);
    expect(await joiner.exited, joiner.stderr).toBe(0);
    expect(await waiter.process.exited).toBe(0);
  }, 90_000);

  it('with --no-lan the joiner needs --peer (usage error, exit 2)', async () => {
    const home = tempDir();
    const result = await runCli(['pair', '7-crossover-clockwork-indigo', '--no-lan'], { home, env: cliEnv(home, LAN_ENV) });
    expectCleanFailure(result, 2, /joining needs the address of the waiting side \(LAN and DHT discovery are off\)/);
  }, 30_000);
});
