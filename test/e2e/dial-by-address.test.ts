// --peer with and without a key, against real CLI processes: handshake v2 needs the
// responder's key, so `host:port` alone makes the dialler try its trusted keys and remember
// the one that answered; `name@host:port` and `swarm1…@host:port` name it; an unknown name
// or a malformed key text is a usage error.
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/identity/identity.js';
import { KNOWN_ADDRESSES_FILE } from '../../src/identity/known-addresses.js';
import { TrustStore } from '../../src/identity/trust-store.js';
import { hasValidMac1 } from '../../src/secure/handshake-macs.js';
import { MESSAGE1_BYTES } from '../../src/secure/handshake-wire.js';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { makePeople, startChat, waitForPeers, type RunningChat } from '../chat/helpers/chat-world.js';

const running: RunningChat[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const chat of running.splice(0)) await chat.process.stop();
});

/**
 * A TCP forwarder to `port` on 127.0.0.1 that keeps the first 307 bytes (message 1) each
 * connection sends, so a test can see which key every dial was addressed to (its mac1).
 */
async function watchingForwarder(port: number): Promise<{ port: number; message1s: Buffer[] }> {
  const message1s: Buffer[] = [];
  const sockets: Socket[] = [];
  const server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port });
    sockets.push(inbound, outbound);
    let head = Buffer.alloc(0);
    inbound.on('data', (chunk: Buffer) => {
      if (head.length < MESSAGE1_BYTES) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= MESSAGE1_BYTES) message1s.push(head.subarray(0, MESSAGE1_BYTES));
      }
      outbound.write(chunk);
    });
    outbound.pipe(inbound);
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
      from.on('end', () => to.end());
      from.on('close', () => to.destroy());
      from.on('error', () => {});
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    sockets.forEach((socket) => socket.destroy());
    server.close();
  });
  return { port: (server.address() as { port: number }).port, message1s };
}

describe('dialling by address (real CLI)', () => {
  it('finds the key at host:port among the trusted ones and remembers it; name@host:port dials that key', async () => {
    const people = makePeople(['alice', 'bob', 'carol'] as const, { alice: ['bob', 'carol'], carol: ['alice'] });
    // bob trusts five other keys before alice's: the first round of guesses (4 keys) gets
    // only silence, the second finds alice.
    const store = TrustStore.load(people.bob.home);
    for (let i = 0; i < 5; i++) store.add(createIdentity().keyText, `other${i}`);
    store.add(people.alice.identity.keyText, 'alice');
    const alice = await startChat(people.alice);
    running.push(alice);

    const bob = await startChat(people.bob, { peers: [alice.port] });
    running.push(bob);
    await waitForPeers(bob.process, 1, 30_000);
    const book = JSON.parse(readFileSync(join(people.bob.home, KNOWN_ADDRESSES_FILE), 'utf8')) as { peers: Record<string, { host: string; port?: number }[]> };
    expect(Object.keys(book.peers)).toEqual([people.alice.identity.keyText]);
    expect(book.peers[people.alice.identity.keyText]![0]).toMatchObject({ host: '127.0.0.1', port: alice.port });

    const carol = await startChat(people.carol, { args: ['--peer', `alice@127.0.0.1:${alice.port}`] });
    running.push(carol);
    await waitForPeers(carol.process, 1, 15_000);
  }, 90_000);

  it('swarm1…@host:port dials that key and no other, though others come first in the trust list', async () => {
    const people = makePeople(['alice', 'carol'] as const, { alice: ['carol'] });
    // Were carol searching, her first round would be four of these keys (a forwarder is a
    // new address to her: no key was seen there), not alice's.
    const store = TrustStore.load(people.carol.home);
    const others = Array.from({ length: 5 }, () => createIdentity());
    others.forEach((other, i) => store.add(other.keyText, `other${i}`));
    store.add(people.alice.identity.keyText, 'alice');
    const alice = await startChat(people.alice);
    running.push(alice);
    const forwarder = await watchingForwarder(alice.port);

    const carol = await startChat(people.carol, { args: ['--peer', `${people.alice.identity.keyText}@127.0.0.1:${forwarder.port}`] });
    running.push(carol);
    await waitForPeers(carol.process, 1, 15_000);
    expect(forwarder.message1s.length).toBeGreaterThanOrEqual(1);
    for (const message1 of forwarder.message1s) {
      expect(hasValidMac1(message1, people.alice.identity.publicKey)).toBe(true);
      for (const other of others) expect(hasValidMac1(message1, other.publicKey)).toBe(false);
    }
  }, 60_000);

  it('refuses a --peer whose key text is malformed, naming the key as the problem, as a usage error', async () => {
    const people = makePeople(['dave'] as const, {});
    const keyText = people.dave.identity.keyText;
    const result = await runCli(['chat', '--host', '127.0.0.1', '--port', '0', '--peer', `${keyText.slice(0, -2)}@127.0.0.1:7927`], { home: people.dave.home });
    expectCleanFailure(result, 2, /^swarm: --peer: the key before "@" is not a valid swarm key \(it has 62 characters, a key has 64\)/);
  });

  it('refuses a --peer naming a key that is not in the trust list, as a usage error', async () => {
    const people = makePeople(['dave'] as const, {});
    const result = await runCli(['chat', '--host', '127.0.0.1', '--port', '0', '--peer', 'nobody@127.0.0.1:7927'], { home: people.dave.home });
    expectCleanFailure(result, 2, /--peer: "nobody" is not in your trust list/);
  });
});
