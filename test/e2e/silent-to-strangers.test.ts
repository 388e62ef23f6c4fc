// Handshake v2 against the real CLI (`swarm chat` listening on 127.0.0.1): a scanner, a web
// client, a BitTorrent client, a v1 node, an initiator guessing the wrong key and one the
// node does not trust all get 0 bytes back; the trusted initiator's message 1 is answered
// (the control), and the same message 1 replayed is not.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/identity/identity.js';
import { encodeFrame } from '../../src/secure/frame-codec.js';
import { MESSAGE2_BYTES, V1_PREAMBLE } from '../../src/secure/handshake-wire.js';
import { InitiatorHandshake } from '../../src/secure/swarm-handshake.js';
import { makePeople, startChat, type RunningChat } from '../chat/helpers/chat-world.js';

const running: RunningChat[] = [];
afterEach(async () => {
  for (const chat of running.splice(0)) await chat.process.stop();
});

interface Knock {
  /** Every byte the node sent back. */
  answer: Buffer;
  /** True if the node closed the connection (it does, at its handshake deadline). */
  closedByNode: boolean;
}

/** Sends `bytes`, then waits (bounded) for the node to close; never sends more. */
function knock(port: number, bytes: Buffer, waitMs = 12_000): Promise<Knock> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const answer: Buffer[] = [];
    let closedByNode = false;
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => void answer.push(chunk));
    socket.on('end', () => (closedByNode = true));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(answer), closedByNode });
    });
    socket.write(bytes);
  });
}

/** Sends a message 1 and resolves with what comes back within `waitMs`, then closes. */
function firstAnswer(port: number, bytes: Buffer, waitMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const answer: Buffer[] = [];
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => void answer.push(chunk));
    setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(answer));
    }, waitMs);
    socket.write(bytes);
  });
}

const bitTorrentHandshake = Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), Buffer.alloc(8), randomBytes(20), Buffer.from('-qB4650-'), randomBytes(12)]);

describe('a v2 node is silent to strangers (real CLI)', () => {
  it('answers nothing to a scan, HTTP, BitTorrent, v1, a wrong-key guess or an untrusted key; answers the trusted key once', async () => {
    const people = makePeople(['alice', 'bob', 'mallory'] as const, { alice: ['bob'], bob: ['alice'], mallory: ['alice'] });
    const alice = await startChat(people.alice);
    running.push(alice);
    const aliceKey = people.alice.identity.publicKey;
    const channelMessage1 = (identity: typeof people.bob.identity, responderKey: Uint8Array) => new InitiatorHandshake({ identity, responderKey, channel: 'chat' }).message1();

    const strangers: Record<string, Buffer> = {
      'random bytes (307)': randomBytes(307),
      'random bytes (4 KiB)': randomBytes(4096),
      'an HTTP request': Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: scanner\r\n\r\n'),
      'a BitTorrent handshake': bitTorrentHandshake,
      'a v1 (Noise XX) initiator': Buffer.concat([V1_PREAMBLE, encodeFrame(randomBytes(32))]),
      // bob is trusted, but dials a key that is not alice's: mac1 is wrong
      'an IK initiator guessing a wrong key': channelMessage1(people.bob.identity, createIdentity().publicKey),
      // mallory knows alice's key (valid mac1) but alice does not trust her
      'an untrusted IK initiator': channelMessage1(people.mallory.identity, aliceKey),
    };
    const knocks = await Promise.all(Object.values(strangers).map((bytes) => knock(alice.port, bytes)));
    const byName = Object.fromEntries(Object.keys(strangers).map((name, i) => [name, knocks[i]!]));
    for (const [name, result] of Object.entries(byName)) {
      expect({ name, answeredBytes: result.answer.length, closedByNode: result.closedByNode }).toEqual({ name, answeredBytes: 0, closedByNode: true });
    }
    // The owner still sees who knocked with a key it does not trust.
    await alice.process.waitForEvent((e) => e.event === 'refused' && e.key === people.mallory.identity.keyText, 5000, 'mallory refused');

    // Control: the trusted key's message 1 is answered at once with message 2 and ACCEPT...
    const genuine = channelMessage1(people.bob.identity, aliceKey);
    const answer = await firstAnswer(alice.port, genuine, 1500);
    expect(answer.length).toBeGreaterThan(MESSAGE2_BYTES);
    expect(answer[0]).toBe(2);
    // ...and the very same bytes, replayed, get nothing.
    const replay = await knock(alice.port, genuine);
    expect(replay.answer.length).toBe(0);
  }, 60_000);
});
