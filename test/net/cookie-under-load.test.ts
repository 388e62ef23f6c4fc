// Cookie replies on a real listener over TCP (docs/protocol.md "Connections" section 1,
// check 3): while a handshake waits for a CPU turn, a message 1 with a valid mac1 but no
// valid mac2 is answered with a cookie reply and costs no Diffie-Hellman; the retry that
// carries a mac2 from that cookie is answered with message 2; a retry whose mac2 is wrong
// (a cookie the node gave another connection) gets silence. The client side is the
// project's own initiator (InitiatorHandshake), driven by hand so each answer can be seen.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dhCounter } from '../../src/crypto/noise-dh.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { openCookieReply } from '../../src/secure/handshake-macs.js';
import { COOKIE_REPLY_BYTES, MESSAGE2_BYTES, TYPE_COOKIE_REPLY, TYPE_MESSAGE2 } from '../../src/secure/handshake-wire.js';
import { InitiatorHandshake } from '../../src/secure/swarm-handshake.js';
import { collect } from '../helpers/duplex-pair.js';
import { forgedMessage1 } from '../helpers/message1-flood.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

// One handshake per source address, then the next turn is ~17 minutes away: a second
// message 1 from that address waits for its turn for the whole test, which is the load.
const rates = { perAddressPerSecond: 0.001, perAddressBurst: 1 };

async function dial(port: number, localAddress: string): Promise<{ socket: Socket; replies: ReturnType<typeof collect> }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => {});
  cleanups.push(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, replies: collect(socket) };
}

/** Sends `message1` on `connection` and expects a cookie reply for it, with no DH spent on it. */
async function expectCookieReply(connection: Awaited<ReturnType<typeof dial>>, message1: Buffer): Promise<Buffer> {
  const dhBefore = dhCounter.calls;
  connection.socket.write(message1);
  await connection.replies.untilBytes(COOKIE_REPLY_BYTES);
  const reply = Buffer.concat(connection.replies.data);
  expect(reply).toHaveLength(COOKIE_REPLY_BYTES);
  expect(reply[0]).toBe(TYPE_COOKIE_REPLY);
  expect(dhCounter.calls).toBe(dhBefore);
  return reply;
}

describe('cookie replies on a SwarmNode listener under load', () => {
  it('answer a message 1 without mac2 with a cookie and no DH, the retry with mac2 with a handshake, a wrong mac2 with silence', async () => {
    // The deadline bounds how long the waiting connection keeps the node under load, and
    // when the silent one is closed.
    const [a, b] = await createNodes(2, { node: { handshakeRates: rates, handshakeTimeoutMs: 4000 } });
    const inbound: PeerLink[] = [];
    a!.node.handle('chat', (link) => void inbound.push(link));
    const key = a!.identity.publicKey;

    // Control, not under load: b's dial from 127.0.0.2 (no cookie, so mac2 is zero) is
    // answered at once, and takes that address's only token.
    const first = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: key, localAddress: '127.0.0.2' });
    expect(first.channel).toBe('chat');
    expect(a!.node.handshakesWaiting).toBe(0);
    // A message 1 with a valid mac1 from the same address now waits for a turn.
    const waiter = await dial(a!.port, '127.0.0.2');
    waiter.socket.write(forgedMessage1(key));
    await waitFor(() => a!.node.handshakesWaiting === 1, 3000, 'a handshake waiting for its turn');

    // From 127.0.0.1, whose own bucket is full: the first message 1 gets a cookie reply.
    const handshake = new InitiatorHandshake({ identity: b!.identity, responderKey: key, channel: 'chat' });
    const message1 = handshake.message1();
    const c = await dial(a!.port, '127.0.0.1');
    const reply = await expectCookieReply(c, message1);
    const cookie = openCookieReply(reply, key, handshake.mac1);
    expect(cookie).toHaveLength(16);

    // The retry on the same connection carries mac2 from that cookie: message 2 answers it.
    c.socket.write(handshake.message1(cookie));
    await c.replies.untilBytes(COOKIE_REPLY_BYTES + MESSAGE2_BYTES);
    const answer = Buffer.concat(c.replies.data).subarray(COOKIE_REPLY_BYTES);
    expect(answer[0]).toBe(TYPE_MESSAGE2);
    expect(handshake.readMessage2(answer.subarray(0, MESSAGE2_BYTES)).remoteKey).toEqual(Buffer.from(key));
    await waitFor(() => inbound.length === 2, 3000, 'the retried handshake to reach the chat handler');
    expect(a!.node.handshakesWaiting).toBe(1); // still under load for the next one

    // Another connection, from an address with a token to spare (a valid retry would be
    // answered at once), gets its own cookie reply, then retries with a mac2 made from the
    // cookie c was given: cookies are bound to the connection's address and port, so that
    // mac2 is wrong. Silence until the deadline, and no DH spent on either message.
    const mallory = new InitiatorHandshake({ identity: b!.identity, responderKey: key, channel: 'chat' });
    const malloryFirst = mallory.message1();
    const d = await dial(a!.port, '127.0.0.3');
    const dhBeforeD = dhCounter.calls;
    await expectCookieReply(d, malloryFirst);
    const wrongRetry = mallory.message1(cookie);
    const dhBeforeRetry = dhCounter.calls;
    expect(dhBeforeRetry).toBeGreaterThan(dhBeforeD); // the initiator's own DH for its new message 1: the counter does count
    d.socket.write(wrongRetry);
    await d.replies.closed;
    expect(d.replies.bytes()).toBe(COOKIE_REPLY_BYTES);
    expect(dhCounter.calls).toBe(dhBeforeRetry);
    expect(a!.refusals).toContainEqual(expect.objectContaining({ code: 'BAD_HANDSHAKE', message: expect.stringContaining('no valid mac2') }));
    expect(inbound).toHaveLength(2);
    first.close();
  });
});
