/**
 * Two homes, each behind its own NAT router (nftables masquerade, nothing forwarded in:
 * test/helpers/nat-lab.ts), and a relay on the public segment. alice shares from home A,
 * bob gets in home B: nobody can dial either home, so the file comes through the relay,
 * identical. A tcpdump at the relay (its wire, both directions) and the relay's own splice
 * view hold no file name, no file bytes, no key text. Without the relay the same link
 * gives up with the error that says why. Chat between the homes works through the relay.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv } from '../helpers/cli.js';
import { createNatLab, natLabUnavailableReason, type NatLab } from '../helpers/nat-lab.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, type TestUser } from '../share/cli-peers.js';

const unavailable = natLabUnavailableReason();
if (unavailable) console.log(`relay two-homes test skipped: ${unavailable}`);
const hasTcpdump = existsSync('/usr/bin/tcpdump') || existsSync('/usr/sbin/tcpdump');
const RELAY_PORT = 7000;

describe.skipIf(unavailable !== undefined)('two homes behind NAT, a relay on the public segment', () => {
  let lab: NatLab;
  let alice: TestUser;
  let bob: TestUser;
  let rick: TestUser;
  let relayAddress: string;
  beforeAll(() => {
    lab = createNatLab({ homes: 2, publicHosts: ['relay'] });
    relayAddress = `${lab.publicHosts.relay!.address}:${RELAY_PORT}`;
  });
  // Homes are temporary directories removed after each test: fresh users per test.
  beforeEach(() => {
    [alice, bob, rick] = makeUsers(['alice', 'bob', 'rick']) as [TestUser, TestUser, TestUser];
  });
  afterAll(() => lab?.destroy());

  const homeA = () => lab.homes[0]!;
  const homeB = () => lab.homes[1]!;

  async function startRelay(env: NodeJS.ProcessEnv = {}): Promise<CliProcess> {
    const relay = new CliProcess(['relay', '--port', String(RELAY_PORT), '--json'], { home: rick.home, wrapper: lab.wrapper(lab.publicHosts.relay!.ns), env: cliEnv(rick.home, env) });
    await relay.waitForEvent((e) => e.event === 'ready', 20_000, 'relay ready');
    return relay;
  }

  async function startCapture(file: string): Promise<() => Promise<Buffer>> {
    const dump = lab.spawn(lab.publicHosts.relay!.ns, 'tcpdump', ['-i', 'eth0', '-U', '-n', '-s', '0', '-w', file, 'tcp', 'port', String(RELAY_PORT)]);
    let err = '';
    dump.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    for (let i = 0; i < 100 && !err.includes('listening on'); i++) await sleep(50);
    expect(err).toContain('listening on');
    return async () => {
      dump.kill('SIGINT');
      await new Promise((resolve) => dump.once('exit', resolve));
      return readFileSync(file);
    };
  }

  it.skipIf(!hasTcpdump)('a file shared in home A is fetched in home B through the relay; the relay\'s wire and its own view hold no plaintext', async () => {
    const dir = tempDir();
    const path = join(dir, 'holiday-photos-2026.bin');
    writeFileSync(path, randomBytes(2 * 1024 * 1024 + 777));
    const stopCapture = await startCapture(join(dir, 'relay.pcap'));
    const relay = await startRelay({ SWARM_RELAY_CAPTURE: join(dir, 'spliced.bin') });
    const share = new CliProcess(['share', path, '--port', '7001', '--relay', relayAddress, '--no-lan', '--json'], { home: alice.home, wrapper: lab.wrapper(homeA().ns) });
    await share.waitForEvent((e) => e.event === 'relay' && e.state === 'registered', 30_000, 'alice registered');
    const magnet = String((await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet);
    // The link names alice's address in her home (unreachable from B) and the relay.
    expect(magnet).toContain(`x.pe=${encodeURIComponent(`${homeA().address}:7001`)}`);
    expect(magnet).toContain(`x.relay=${encodeURIComponent(relayAddress)}`);

    const out = join(dir, 'out');
    const get = new CliProcess(['get', magnet, '-o', out, '--no-lan', '--json'], { home: bob.home, wrapper: lab.wrapper(homeB().ns) });
    expect(await get.exited).toBe(0);
    expect(sameFile(path, join(out, 'holiday-photos-2026.bin'))).toBe(true);
    // Seen at the relay as coming from the two routers' public addresses.
    const opened = await relay.waitForEvent((e) => e.event === 'stream-open', 5_000);
    expect(opened).toMatchObject({ from: bob.key, to: alice.key });
    await share.stop('SIGINT');
    await relay.stop('SIGINT');

    const wire = await stopCapture();
    const spliced = readFileSync(join(dir, 'spliced.bin'));
    const file = readFileSync(path);
    // The capture saw the transfer (at least one pass of it; a loaded machine may drop a few packets from a capture).
    expect(wire.length).toBeGreaterThan(file.length);
    expect(spliced.length).toBeGreaterThan(file.length);
    const infoHash = /xt=urn:btih:([0-9a-f]{40})/.exec(magnet)![1]!;
    for (const [what, view] of [['wire', wire], ['splice', spliced]] as const) {
      for (const needle of ['holiday-photos', alice.key, bob.key, rick.key, infoHash, 'BitTorrent protocol']) expect(view.includes(Buffer.from(needle)), `${what}: ${needle}`).toBe(false);
      expect(view.includes(Buffer.from(infoHash, 'hex')), `${what}: binary infohash`).toBe(false);
      for (let offset = 0; offset + 32 <= file.length; offset += 61 * 1024) expect(view.includes(file.subarray(offset, offset + 32)), `${what}: file bytes at ${offset}`).toBe(false);
    }
  }, 180_000);

  it('without a relay the same get gives up naming the cause: a router that forwards nothing', async () => {
    const dir = tempDir();
    const path = join(dir, 'a.bin');
    writeFileSync(path, randomBytes(64 * 1024));
    const share = new CliProcess(['share', path, '--port', '7002', '--no-lan', '--json'], { home: alice.home, wrapper: lab.wrapper(homeA().ns) });
    const magnet = String((await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet);
    const get = new CliProcess(['get', magnet, '-o', join(dir, 'out'), '--no-lan', '--timeout', '15s'], { home: bob.home, wrapper: lab.wrapper(homeB().ns) });
    expect(await get.exited).toBe(124);
    expect(get.stderr).toContain('alice is behind a router that does not forward their port and offers no relay: ask them to run with --relay, or to forward port 7002');
    expect(get.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 90_000);

  it('chat between the two homes through the relay', async () => {
    const relay = await startRelay();
    const aliceChat = new CliProcess(['chat', '--port', '7003', '--no-lan', '--json', '--relay', relayAddress], { home: alice.home, wrapper: lab.wrapper(homeA().ns) });
    await aliceChat.waitForEvent((e) => e.event === 'relay' && e.state === 'registered', 30_000, 'alice registered');
    const bobChat = new CliProcess(['chat', '--port', '7003', '--no-lan', '--json', '--peer', `alice@${homeA().address}:7003`, '--relay', relayAddress], { home: bob.home, wrapper: lab.wrapper(homeB().ns) });
    await bobChat.waitForEvent((e) => e.event === 'peer-join', 30_000, 'bob linked to alice');
    bobChat.send('hi from home B');
    expect(await aliceChat.waitForEvent((e) => e.event === 'message' && e.text === 'hi from home B', 15_000, 'at alice')).toMatchObject({ from: bob.key });
    aliceChat.send('hi from home A');
    await bobChat.waitForEvent((e) => e.event === 'message' && e.text === 'hi from home A', 15_000, 'at bob');
    expect(relay.events.some((e) => e.event === 'stream-open' && e.from === bob.key && e.to === alice.key)).toBe(true);
  }, 90_000);
});
