/**
 * Relays through a trusted node, end to end on loopback (real `swarm relay`, `share`,
 * `get` and `chat` processes on 127.0.0.N, real files): the sharer registers with the relay
 * and the magnet names it (x.relay); a getter whose x.pe is a closed port gets the file
 * through the relay, identical; what the relay forwarded (SWARM_RELAY_CAPTURE, the splice's
 * own view) holds no file name, no file bytes, no key text and no infohash; a relay that
 * does not trust the getter, or the sharer, is refused with a clear line at both ends; a
 * relay killed mid-transfer and restarted lets the get complete; chat runs through it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv, expectCleanFailure, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, startGetter, startSharer, type TestUser } from '../share/cli-peers.js';

const RELAY_HOST = '127.0.0.9';

async function startRelay(user: TestUser, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ child: CliProcess; port: number }> {
  const child = new CliProcess(['relay', '--host', RELAY_HOST, '--port', '0', '--json', ...extra], { home: user.home, env: cliEnv(user.home, env) });
  const ready = await child.waitForEvent((e) => e.event === 'ready', 20_000, 'relay ready');
  return { child, port: Number(ready.port) };
}

/** The magnet with its x.pe replaced by a closed port: the sharer is unreachable but through the relay. */
function unreachable(magnet: string): string {
  return magnet.replace(/x\.pe=[^&]+/, `x.pe=${encodeURIComponent('127.0.0.2:1')}`);
}

async function shareThroughRelay(sharer: TestUser, path: string, relayPort: number, extra: string[] = []) {
  const share = await startSharer(sharer, path, ['--relay', `${RELAY_HOST}:${relayPort}`, '--no-lan', ...extra]);
  await share.child.waitForEvent((e) => e.event === 'relay' && e.state === 'registered', 20_000, 'registered with the relay');
  return share;
}

function writeRandomFile(dir: string, name: string, bytes: number): string {
  const path = join(dir, name);
  writeFileSync(path, randomBytes(bytes));
  return path;
}

describe('swarm relay', () => {
  it('a get whose x.pe is unreachable fetches through the relay; the relay forwarded ciphertext only', async () => {
    const [alice, bob, rick] = makeUsers(['alice', 'bob', 'rick']) as [TestUser, TestUser, TestUser];
    const dir = tempDir();
    const capture = join(dir, 'relay-capture.bin');
    const path = writeRandomFile(dir, 'quarterly-secret-report.bin', 3 * 1024 * 1024 + 12345);
    const relay = await startRelay(rick, [], { SWARM_RELAY_CAPTURE: capture });
    const share = await shareThroughRelay(alice, path, relay.port);
    expect(share.magnet).toContain(`x.relay=${encodeURIComponent(`${RELAY_HOST}:${relay.port}`)}`);
    await relay.child.waitForEvent((e) => e.event === 'registered' && e.key === alice.key);

    const out = join(dir, 'out');
    const getter = startGetter(bob, unreachable(share.magnet), out, ['--no-lan']);
    expect(await getter.exited).toBe(0);
    expect(sameFile(path, join(out, 'quarterly-secret-report.bin'))).toBe(true);
    const opened = await relay.child.waitForEvent((e) => e.event === 'stream-open');
    expect(opened).toMatchObject({ from: bob.key, to: alice.key, fromName: 'bob', toName: 'alice' });
    await relay.child.waitForEvent((e) => e.event === 'stream-closed', 10_000);

    // The relay's own view: everything it spliced. All the file went through it, and none of it readable.
    const seen = readFileSync(capture);
    const file = readFileSync(path);
    expect(seen.length).toBeGreaterThan(file.length);
    const infoHash = /xt=urn:btih:([0-9a-f]{40})/.exec(share.magnet)![1]!;
    for (const needle of ['quarterly-secret-report', alice.key, bob.key, infoHash, 'BitTorrent protocol', 'ut_metadata']) {
      expect(seen.includes(Buffer.from(needle)), needle).toBe(false);
    }
    expect(seen.includes(Buffer.from(infoHash, 'hex'))).toBe(false);
    for (let offset = 0; offset + 32 <= file.length; offset += 97 * 1024) {
      expect(seen.includes(file.subarray(offset, offset + 32)), `file bytes at ${offset}`).toBe(false);
    }
  }, 120_000);

  it('a relay that does not trust the getter is silent to it: the get fails with one clear line', async () => {
    const [alice, bob, rick] = makeUsers(['alice', 'bob', 'rick'], (a, b) => !(a === 'rick' && b === 'bob')) as [TestUser, TestUser, TestUser];
    const dir = tempDir();
    const path = writeRandomFile(dir, 'a.bin', 64 * 1024);
    const relay = await startRelay(rick);
    const share = await shareThroughRelay(alice, path, relay.port);
    const result = await runCli(['get', unreachable(share.magnet), '-o', join(dir, 'out'), '--host', '127.0.0.3', '--no-lan'], { home: bob.home, timeoutMs: 60_000 });
    expectCleanFailure(result, 1, new RegExp(`the relay at ${RELAY_HOST.replace(/\./g, '\\.')}:${relay.port} did not answer: it does not trust your key`));
    expect(relay.child.events.some((e) => e.event === 'stream-open')).toBe(false);
  }, 90_000);

  it('a relay that does not trust the sharer: the sharer is told it cannot register, the getter that the relay will not connect it', async () => {
    const [alice, bob, rick] = makeUsers(['alice', 'bob', 'rick'], (a, b) => !(a === 'rick' && b === 'alice')) as [TestUser, TestUser, TestUser];
    const dir = tempDir();
    const path = writeRandomFile(dir, 'a.bin', 64 * 1024);
    const relay = await startRelay(rick);
    const share = await startSharer(alice, path, ['--relay', `${RELAY_HOST}:${relay.port}`, '--no-lan']);
    const warning = await share.child.waitForEvent((e) => e.event === 'warning' && e.relay === `${RELAY_HOST}:${relay.port}`, 20_000, 'relay warning');
    expect(String(warning.message)).toMatch(/no trusted key answered|did not answer|no answer/);
    const result = await runCli(['get', unreachable(share.magnet), '-o', join(dir, 'out'), '--host', '127.0.0.3', '--no-lan'], { home: bob.home, timeoutMs: 60_000 });
    expectCleanFailure(result, 1, new RegExp(`the relay at ${RELAY_HOST.replace(/\./g, '\\.')}:${relay.port} will not connect you to alice: this relay does not relay for that key`));
    expect(relay.child.events.filter((e) => e.event === 'stream-refused')).toEqual([expect.objectContaining({ key: bob.key, reason: 'not-trusted: this relay does not relay for that key' })]);
    expect(relay.child.events.some((e) => e.event === 'registered')).toBe(false);
  }, 90_000);

  it('the relay killed mid-transfer and back on its port: the get resumes through it and completes', async () => {
    const [alice, bob, rick] = makeUsers(['alice', 'bob', 'rick']) as [TestUser, TestUser, TestUser];
    const dir = tempDir();
    const path = writeRandomFile(dir, 'big.bin', 6 * 1024 * 1024);
    const first = await startRelay(rick);
    const share = await shareThroughRelay(alice, path, first.port, ['--upload-limit', '1M']);
    const out = join(dir, 'out');
    const getter = startGetter(bob, unreachable(share.magnet), out, ['--no-lan']);
    await getter.waitForEvent((e) => e.event === 'progress' && Number(e.verified) >= 1024 * 1024, 30_000, '1 MiB verified');
    await first.child.stop('SIGKILL');
    await sleep(2000);
    expect(getter.hasExited).toBe(false);
    const second = await startRelay(rick, ['--port', String(first.port)]);
    expect(second.port).toBe(first.port);
    expect(await getter.exited).toBe(0);
    expect(sameFile(path, join(out, 'big.bin'))).toBe(true);
    // The rest came through the restarted relay, after alice registered with it again.
    await second.child.waitForEvent((e) => e.event === 'stream-open' && e.from === bob.key, 5_000);
    expect(share.child.events.filter((e) => e.event === 'relay' && e.state === 'registered').length).toBeGreaterThanOrEqual(2);
  }, 150_000);

  it('chat between two nodes through the relay', async () => {
    const [alice, bob, rick] = makeUsers(['alice', 'bob', 'rick']) as [TestUser, TestUser, TestUser];
    const relay = await startRelay(rick);
    const relayArg = `${RELAY_HOST}:${relay.port}`;
    const aliceChat = new CliProcess(['chat', '--host', '127.0.0.2', '--port', '0', '--no-lan', '--json', '--relay', relayArg], { home: alice.home });
    await aliceChat.waitForEvent((e) => e.event === 'relay' && e.state === 'registered', 20_000, 'alice registered');
    // bob knows alice's key but not a working address: a closed port, then the relay.
    const bobChat = new CliProcess(['chat', '--host', '127.0.0.3', '--port', '0', '--no-lan', '--json', '--peer', 'alice@127.0.0.2:1', '--relay', relayArg], { home: bob.home });
    const joined = await bobChat.waitForEvent((e) => e.event === 'peer-join', 20_000, 'bob linked to alice');
    expect(joined).toMatchObject({ key: alice.key, via: relayArg });
    bobChat.send('hello through the relay');
    expect(await aliceChat.waitForEvent((e) => e.event === 'message' && e.text === 'hello through the relay', 15_000, 'message at alice')).toMatchObject({ from: bob.key });
    aliceChat.send('and back');
    await bobChat.waitForEvent((e) => e.event === 'message' && e.text === 'and back', 15_000, 'reply at bob');
    expect(relay.child.events.some((e) => e.event === 'stream-open' && e.from === bob.key && e.to === alice.key)).toBe(true);
  }, 90_000);

  it('any listening node relays with --offer-relay: a chat node relays a share to a getter', async () => {
    const [alice, bob, carol] = makeUsers(['alice', 'bob', 'carol']) as [TestUser, TestUser, TestUser];
    const dir = tempDir();
    const path = writeRandomFile(dir, 'b.bin', 512 * 1024);
    const carolChat = new CliProcess(['chat', '--host', '127.0.0.4', '--port', '0', '--no-lan', '--json', '--offer-relay'], { home: carol.home });
    const carolPort = Number((await carolChat.waitForEvent((e) => e.event === 'ready', 20_000, 'carol ready')).port);
    const share = await startSharer(alice, path, ['--relay', `127.0.0.4:${carolPort}`, '--no-lan']);
    await share.child.waitForEvent((e) => e.event === 'relay' && e.state === 'registered', 20_000, 'registered with carol');
    const out = join(dir, 'out');
    const getter = startGetter(bob, unreachable(share.magnet), out, ['--no-lan']);
    expect(await getter.exited).toBe(0);
    expect(sameFile(path, join(out, 'b.bin'))).toBe(true);
    expect(await carolChat.waitForEvent((e) => e.event === 'stream-open', 5_000)).toMatchObject({ from: bob.key, to: alice.key });
  }, 90_000);

  it('bad relay options are one-line usage errors (exit 2)', async () => {
    const [bob] = makeUsers(['bob']) as [TestUser];
    const run = (args: string[]) => runCli(args, { home: bob.home, timeoutMs: 30_000 });
    expectCleanFailure(await run(['relay', '--max-rate', 'fast']), 2, /invalid rate "fast"/);
    expectCleanFailure(await run(['relay', '--max-streams-per-key', '0']), 2, /--max-streams-per-key must be a whole number above 0/);
    expectCleanFailure(await run(['relay', '--max-bytes-per-key', 'lots']), 2, /--max-bytes-per-key must be a size, not "lots"/);
    expectCleanFailure(await run(['chat', '--relay', 'non sense']), 2, /invalid peer address "non sense"/);
    expectCleanFailure(await run(['chat', '--port', '0', '--relay', 'nobody@127.0.0.1:5']), 2, /--relay: "nobody" is not in your trust list/);
  }, 60_000);
});
