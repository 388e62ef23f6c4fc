// --peer with and without a key, against real CLI processes: handshake v2 needs the
// responder's key, so `host:port` alone makes the dialler try its trusted keys and remember
// the one that answered; `name@host:port` names it; an unknown name is a usage error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/identity/identity.js';
import { KNOWN_ADDRESSES_FILE } from '../../src/identity/known-addresses.js';
import { TrustStore } from '../../src/identity/trust-store.js';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { makePeople, startChat, waitForPeers, type RunningChat } from '../chat/helpers/chat-world.js';

const running: RunningChat[] = [];
afterEach(async () => {
  for (const chat of running.splice(0)) await chat.process.stop();
});

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

  it('refuses a --peer naming a key that is not in the trust list, as a usage error', async () => {
    const people = makePeople(['dave'] as const, {});
    const result = await runCli(['chat', '--host', '127.0.0.1', '--port', '0', '--peer', 'nobody@127.0.0.1:7927'], { home: people.dave.home });
    expectCleanFailure(result, 2, /--peer: "nobody" is not in your trust list/);
  });
});
