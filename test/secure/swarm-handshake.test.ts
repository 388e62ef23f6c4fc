// Handshake v2 (Noise IK + mac1/mac2), pure and over in-memory duplexes: who can answer,
// what a forged message 1 costs (counted Diffie-Hellman operations), replays, cookies.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dhCounter } from '../../src/crypto/noise-dh.js';
import { secureInbound, secureOutbound } from '../../src/secure/establish-channel.js';
import { COOKIE_SECRET_MAX_AGE_MS, CookieChecker, hasValidMac1, openCookieReply, stampMacs } from '../../src/secure/handshake-macs.js';
import { decodePayload, MAC1_OFFSET, MESSAGE1_BYTES, MESSAGE2_BYTES, V2_MARKER } from '../../src/secure/handshake-wire.js';
import { ReplayWindow, WINDOW_NS } from '../../src/secure/replay-window.js';
import { InitiatorHandshake, ResponderHandshake } from '../../src/secure/swarm-handshake.js';
import { collect, duplexPair } from '../helpers/duplex-pair.js';
import { makeIdentities, trusting } from '../helpers/test-identities.js';

const [alice, bob, carol] = makeIdentities(3);
const acceptAll = () => null;

describe('handshake v2, pure', () => {
  it('authenticates both identities and agrees on transport keys in two messages', () => {
    const initiator = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'chat' });
    const message1 = initiator.message1();
    expect(message1).toHaveLength(MESSAGE1_BYTES);
    expect(message1.subarray(0, 6)).toEqual(V2_MARKER);
    expect(hasValidMac1(message1, bob!.publicKey)).toBe(true);
    const responder = new ResponderHandshake({ identity: bob!, allows: trusting(alice!) });
    const accepted = responder.readMessage1(message1);
    expect(accepted.remoteKey).toEqual(Buffer.from(alice!.publicKey));
    expect(accepted.channel).toBe('chat');
    const { message, result } = responder.writeMessage2();
    expect(message).toHaveLength(MESSAGE2_BYTES);
    const initiatorResult = initiator.readMessage2(message);
    expect(initiatorResult.remoteKey).toEqual(Buffer.from(bob!.publicKey));
    expect(initiatorResult.handshakeHash).toEqual(result.handshakeHash);
    const sealed = initiatorResult.sealer.seal(Buffer.from('hi bob'));
    expect(result.opener.openParts([sealed.subarray(2)]).map((part) => part.toString())).toEqual(['hi bob']);
  });

  it('never shows an identity key in clear', () => {
    const initiator = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'chat' });
    const message1 = initiator.message1();
    const responder = new ResponderHandshake({ identity: bob!, allows: () => true });
    responder.readMessage1(message1);
    const { message } = responder.writeMessage2();
    for (const key of [alice!.publicKey, bob!.publicKey]) {
      expect(message1.includes(Buffer.from(key))).toBe(false);
      expect(message.includes(Buffer.from(key))).toBe(false);
    }
  });

  it('mac1 is keyed by the responder: a message 1 for carol fails at bob before any DH', () => {
    const message1 = new InitiatorHandshake({ identity: alice!, responderKey: carol!.publicKey, channel: 'chat' }).message1();
    expect(hasValidMac1(message1, bob!.publicKey)).toBe(false);
    expect(hasValidMac1(message1, carol!.publicKey)).toBe(true);
  });

  it('refuses an untrusted initiator, and a message 1 altered by someone who knows the responder key', () => {
    const message1 = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'chat' }).message1();
    expect(() => new ResponderHandshake({ identity: bob!, allows: trusting(carol!) }).readMessage1(message1)).toThrow(expect.objectContaining({ code: 'UNTRUSTED_PEER' }));
    const altered = Buffer.from(message1);
    altered[200]! ^= 1;
    stampMacs(altered, bob!.publicKey); // mac1 is no secret: anyone who knows K_r can recompute it
    expect(hasValidMac1(altered, bob!.publicKey)).toBe(true);
    expect(() => new ResponderHandshake({ identity: bob!, allows: () => true }).readMessage1(altered)).toThrow(expect.objectContaining({ code: 'BAD_HANDSHAKE' }));
  });

  it('an initiator refuses a message 2 from anyone but the key it dialled', () => {
    const initiator = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'chat' });
    const message1 = initiator.message1();
    // carol answers a message 1 addressed to her, and replays that answer to alice's bob dial
    const forCarol = new InitiatorHandshake({ identity: alice!, responderKey: carol!.publicKey, channel: 'chat' }).message1();
    const carolSide = new ResponderHandshake({ identity: carol!, allows: () => true });
    carolSide.readMessage1(forCarol);
    expect(() => initiator.readMessage2(carolSide.writeMessage2().message)).toThrow(expect.objectContaining({ code: 'BAD_HANDSHAKE' }));
    void message1;
  });

  it('carries the channel name and a strictly increasing timestamp, zero-padded', () => {
    const responder = () => new ResponderHandshake({ identity: bob!, allows: () => true });
    const initiator = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'torrent ' + 'ab'.repeat(20) });
    const first = responder().readMessage1(initiator.message1());
    const second = responder().readMessage1(initiator.message1());
    expect(first.channel).toBe('torrent ' + 'ab'.repeat(20));
    expect(second.timestampNs > first.timestampNs).toBe(true);
    expect(() => decodePayload(Buffer.alloc(173))).toThrow(/timestamp/);
  });
});

describe('replay window', () => {
  const key = new Uint8Array(32).fill(1);
  it('refuses a timestamp seen before or at/below the floor; accepts out-of-order ones inside the window', () => {
    const window = new ReplayWindow();
    const t = 1_000_000_000_000n;
    expect(window.accept(key, t + 10n)).toBe(true);
    expect(window.accept(key, t + 5n)).toBe(true); // a concurrent dial that arrived second
    expect(window.accept(key, t + 10n)).toBe(false);
    expect(window.accept(key, t + 5n)).toBe(false);
    expect(window.accept(key, t + 10n + WINDOW_NS)).toBe(true);
    expect(window.accept(key, t + 9n)).toBe(false); // now below the floor
  });

  it('keeps at most 64 timestamps per key and raises the floor past the ones it drops', () => {
    const window = new ReplayWindow();
    for (let i = 1n; i <= 65n; i++) expect(window.accept(key, i)).toBe(true);
    expect(window.accept(key, 1n)).toBe(false);
  });

  it('bounds how many keys it tracks', () => {
    const window = new ReplayWindow(2);
    const other = (n: number) => new Uint8Array(32).fill(n);
    window.accept(other(1), 10n);
    window.accept(other(2), 10n);
    window.accept(other(3), 10n);
    expect(window.accept(other(2), 10n)).toBe(false);
    expect(window.accept(other(1), 10n)).toBe(true); // forgotten (least recently used)
  });
});

function respond(message: Buffer, options: Partial<Parameters<typeof secureInbound>[1]> = {}) {
  const [clientRaw, serverRaw] = duplexPair();
  const replies = collect(clientRaw);
  const server = secureInbound(serverRaw, { identity: bob!, allows: trusting(alice!), decideChannel: acceptAll, handshakeTimeoutMs: 150, ...options });
  clientRaw.write(message);
  return { server, replies, clientRaw };
}

describe('handshake v2 responder', () => {
  it('spends no Diffie-Hellman on 1,000 forged message 1s (wrong mac1), and answers none', async () => {
    const before = dhCounter.calls;
    const outcomes = [];
    for (let i = 0; i < 1000; i++) {
      const forged = Buffer.concat([V2_MARKER, randomBytes(MESSAGE1_BYTES - V2_MARKER.length)]);
      const { server, replies } = respond(forged, { handshakeTimeoutMs: 50 });
      outcomes.push(server.catch((error: unknown) => error).then((error) => ({ error, replies })));
    }
    const settled = await Promise.all(outcomes);
    expect(dhCounter.calls - before).toBe(0);
    expect(settled.every(({ error }) => (error as { code?: string }).code === 'BAD_MAC1')).toBe(true);
    await Promise.all(settled.map(({ replies }) => replies.closed));
    expect(settled.reduce((sum, { replies }) => sum + replies.bytes(), 0)).toBe(0);
    // Control: one genuine message 1 does cost DH.
    const genuine = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'chat' }).message1();
    await respond(genuine).server;
    expect(dhCounter.calls - before).toBeGreaterThanOrEqual(2);
  });

  it('refuses a replayed message 1 in silence', async () => {
    const message1 = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'chat' }).message1();
    const replayWindow = new ReplayWindow();
    const first = respond(message1, { replayWindow });
    const channel = await first.server;
    expect(channel.remoteKey).toEqual(Buffer.from(alice!.publicKey));
    await first.replies.untilBytes(MESSAGE2_BYTES);
    const replay = respond(message1, { replayWindow });
    await expect(replay.server).rejects.toMatchObject({ code: 'REPLAYED_HANDSHAKE' });
    await replay.replies.closed;
    expect(replay.replies.bytes()).toBe(0);
    channel.close();
  });

  it('under load answers a valid mac1 without mac2 with a cookie reply, then accepts the retry that carries it', async () => {
    const cookies = new CookieChecker(bob!.publicKey);
    const [clientRaw, serverRaw] = duplexPair();
    const sent = collect(serverRaw);
    const server = secureInbound(serverRaw, { identity: bob!, allows: trusting(alice!), decideChannel: acceptAll, cookies, isUnderLoad: () => true, source: '127.0.0.1:5000' });
    const client = secureOutbound(clientRaw, { identity: alice!, allows: trusting(bob!), channel: 'chat', expectedKey: bob!.publicKey });
    const [c, s] = await Promise.all([client, server]);
    expect(s.remoteKey).toEqual(Buffer.from(alice!.publicKey));
    // Two message 1s went out: the first without mac2, the retry with it.
    const fromClient = Buffer.concat(sent.data);
    expect(fromClient.length).toBeGreaterThanOrEqual(2 * MESSAGE1_BYTES);
    expect(fromClient.subarray(MESSAGE1_BYTES - 16, MESSAGE1_BYTES).every((byte) => byte === 0)).toBe(true);
    expect(cookies.hasValidMac2(fromClient.subarray(MESSAGE1_BYTES, 2 * MESSAGE1_BYTES), '127.0.0.1:5000')).toBe(true);
    expect(cookies.hasValidMac2(fromClient.subarray(MESSAGE1_BYTES, 2 * MESSAGE1_BYTES), '127.0.0.2:5000')).toBe(false);
    c.close();
  });

  it('honours a cookie until its secret has been replaced for one period (120 s), never later, even after a quiet spell', () => {
    const source = '127.0.0.1:5000';
    const period = COOKIE_SECRET_MAX_AGE_MS;
    let nowMs = 1_000_000;
    /** A checker started now, and a message 1 carrying a mac2 from a cookie it gave at that time. */
    const cookieAtStart = () => {
      const cookies = new CookieChecker(bob!.publicKey, () => nowMs);
      const initiator = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'chat' });
      const reply = cookies.cookieReply(initiator.message1(), source);
      return { cookies, retry: initiator.message1(openCookieReply(reply, bob!.publicKey, initiator.mac1)) };
    };
    const start = nowMs;
    const steady = cookieAtStart();
    const valid = (at: number, checker = steady) => ((nowMs = start + at), checker.cookies.hasValidMac2(checker.retry, source));
    expect(valid(0)).toBe(true);
    expect(valid(period - 1)).toBe(true);
    expect(valid(period + 1)).toBe(true); // replaced: the previous secret still counts
    expect(valid(2 * period - 1)).toBe(true);
    expect(valid(2 * period)).toBe(false); // replaced twice
    nowMs = start;
    const quiet = cookieAtStart();
    expect(valid(2 * period + 1, quiet)).toBe(false); // no check for two periods: both replacements are due at once
    nowMs = start;
    const lateFirstCheck = cookieAtStart();
    expect(valid(2 * period - 1, lateFirstCheck)).toBe(true);
  });

  it('a cookie reply opens only for the message 1 it answers (mac1 is its associated data)', () => {
    const cookies = new CookieChecker(bob!.publicKey);
    const message1 = new InitiatorHandshake({ identity: alice!, responderKey: bob!.publicKey, channel: 'chat' }).message1();
    const reply = cookies.cookieReply(message1, '10.0.0.1:1');
    expect(openCookieReply(reply, bob!.publicKey, message1.subarray(MAC1_OFFSET, MAC1_OFFSET + 16))).toHaveLength(16);
    expect(openCookieReply(reply, bob!.publicKey, Buffer.alloc(16))).toBeUndefined();
    expect(openCookieReply(reply, carol!.publicKey, message1.subarray(MAC1_OFFSET, MAC1_OFFSET + 16))).toBeUndefined();
  });
});
