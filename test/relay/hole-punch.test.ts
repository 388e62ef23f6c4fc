/**
 * The direct upgrade (relay/hole-punch.ts) with real nodes and a real relay on 127.0.0.1
 * (no NAT here: test/e2e/relay-direct-upgrade.test.ts runs it through real routers, where
 * it succeeds): when the two ends' dials cannot meet, the rounds end within their bounds,
 * the dialler reports one failure, no further round follows, and the relayed link carries on; a `punch` link that does not come
 * through a relay is refused; a peer sending malformed punch records only ends its attempt.
 */
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../src/errors.js';
import { PUNCH_CHANNEL, relayToChannel, torrentChannel } from '../../src/net/channel-name.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { HolePuncher, MAX_ROUNDS_PER_LINK, PUNCH_SETUP_TIMEOUT_MS, type DirectEvent } from '../../src/relay/hole-punch.js';
import { DEFAULT_OPEN_LIMITS } from '../../src/relay/simultaneous-open.js';
import { RelayDialer } from '../../src/relay/relay-dialer.js';
import { RelayRegistration } from '../../src/relay/relay-registration.js';
import { RelayService } from '../../src/relay/relay-service.js';
import { relayedStream } from '../../src/relay/relayed-stream.js';
import { createNodes, waitFor, type TestNode } from '../helpers/test-nodes.js';

const CLOSED_PORT = 1;
const CHANNEL = torrentChannel('ab'.repeat(20));
const RETRY_DELAY_MS = 200;

async function world() {
  const [relay, target, caller] = (await createNodes(3)) as [TestNode, TestNode, TestNode];
  const service = new RelayService(relay.node, relay.trust);
  const relayAddress = { host: '127.0.0.1', port: relay.port, key: relay.identity.publicKey };
  const registration = new RelayRegistration(target.node, [relayAddress]);
  await waitFor(() => service.counts().registered === 1, 5000, 'registration');
  const events: { target: DirectEvent[]; caller: DirectEvent[]; targetFailures: { reason: string }[] } = { target: [], caller: [], targetFailures: [] };
  const targetPuncher = new HolePuncher(target.node);
  const callerPuncher = new HolePuncher(caller.node, { retryDelayMs: RETRY_DELAY_MS });
  targetPuncher.on('direct', (event: DirectEvent) => events.target.push(event));
  targetPuncher.on('answer-failed', (event: { reason: string }) => events.targetFailures.push(event));
  callerPuncher.on('direct', (event: DirectEvent) => events.caller.push(event));
  const links: { target: PeerLink[]; caller: PeerLink[] } = { target: [], caller: [] };
  target.node.handle('torrent', (link) => void links.target.push(link));
  caller.node.handle('torrent', (link) => void links.caller.push(link));
  const dialer = new RelayDialer(caller.node, { relays: [relayAddress], headStartMs: 50, onRelayed: (link, via) => callerPuncher.upgrade(link, via) });
  const close = () => {
    registration.close();
    targetPuncher.close();
    callerPuncher.close();
  };
  return { relay, target, caller, service, relayAddress, events, links, dialer, close };
}

describe('direct upgrade of a relayed link', () => {
  it('a relayed torrent link ends up either direct at both ends or relayed with one failure reported, within the bounds', async () => {
    // On loopback a SYN to a port nobody is dialling from is answered by a RST at once, as by
    // a router without a conntrack entry, so each round is a race: either outcome must be
    // whole. (test/e2e/relay-direct-upgrade.test.ts: through routers that drop, it succeeds.)
    const w = await world();
    const relayed = await w.dialer.connect('127.0.0.1', CLOSED_PORT, CHANNEL, { expectedKey: w.target.identity.publicKey });
    expect(relayed.via).toBe(`127.0.0.1:${w.relay.port}`);
    const startMs = performance.now();
    await waitFor(() => w.events.caller.length === 1, 60_000, 'the dialler is done');
    const tookMs = performance.now() - startMs;
    const outcome = w.events.caller[0]!;
    const rounds = Number(outcome.rounds);
    expect(rounds).toBeGreaterThanOrEqual(1);
    expect(rounds).toBeLessThanOrEqual(MAX_ROUNDS_PER_LINK);
    expect(tookMs).toBeLessThan(rounds * (PUNCH_SETUP_TIMEOUT_MS + DEFAULT_OPEN_LIMITS.windowMs + RETRY_DELAY_MS));
    // The target answered every round, and says 'up' only for a link it holds; a round that
    // dialled stopped within its dial budget (on loopback both ends may even pick one port:
    // that round ends at once, the candidates being equal).
    await waitFor(() => w.events.targetFailures.length + w.events.target.length === rounds, 20_000, 'the target\'s rounds');
    expect(w.events.target).toHaveLength(outcome.state === 'up' ? 1 : 0);
    for (const reason of [...(outcome.state === 'failed' ? [String(outcome.reason)] : []), ...w.events.targetFailures.map((f) => f.reason)]) {
      const dials = /\((\d+) dials; last: [A-Z_]+\)$/.exec(reason)?.[1];
      // Or the round ended before dialling: one end found the candidates equal and closed the punch link.
      if (dials === undefined) expect(reason).toMatch(/is our own$|^the punch link closed$/);
      else expect(Number(dials)).toBeLessThanOrEqual(DEFAULT_OPEN_LIMITS.maxAttempts);
    }
    const targetEcho = (link: PeerLink) => link.stream.on('data', (chunk: Buffer) => link.stream.write(chunk));
    const roundTrip = (link: PeerLink, payload: Buffer) =>
      new Promise<void>((resolve) => {
        let length = 0;
        link.stream.on('data', (chunk: Buffer) => (length += chunk.length) >= payload.length && resolve());
        link.stream.write(payload);
      });
    const payload = Buffer.alloc(100_000, 3);
    if (outcome.state === 'up') {
      // Direct: the caller adopted its (initiator) end, the target took its end as an incoming link; same keys, same channel.
      expect(outcome).toMatchObject({ role: 'dialler', key: relayed.remoteKeyText });
      await waitFor(() => w.links.caller.length === 1 && w.links.target.length === 2, 5000, 'both direct ends');
      expect(w.events.target[0]).toMatchObject({ state: 'up', role: 'answerer', key: w.links.target[0]!.remoteKeyText });
      const callerEnd = w.links.caller[0]!;
      const targetEnd = w.links.target.find((link) => link.via === undefined)!;
      expect(callerEnd.via).toBeUndefined();
      // Its address is the punched port, not one to pass on in peer exchange.
      expect(callerEnd.isPunched).toBe(true);
      // Marked at the answering end too: no listening address, no proof of a port mapping.
      expect(targetEnd.isPunched).toBe(true);
      expect([callerEnd.isInitiator, targetEnd.isInitiator]).toEqual([true, false]);
      expect(callerEnd.channel).toBe(CHANNEL);
      expect(targetEnd.channel).toBe(CHANNEL);
      expect(Buffer.from(callerEnd.remoteKey).equals(Buffer.from(w.target.identity.publicKey))).toBe(true);
      expect(Buffer.from(targetEnd.remoteKey).equals(Buffer.from(w.caller.identity.publicKey))).toBe(true);
      targetEcho(targetEnd);
      const relayedBefore = w.service.counts().relayedBytes;
      await roundTrip(callerEnd, payload);
      expect(w.service.counts().relayedBytes - relayedBefore).toBeLessThan(payload.length);
    } else {
      // Relayed: reported once, after the last round; nothing direct handed to either torrent; the relayed link carries on.
      expect(outcome).toMatchObject({ role: 'dialler', rounds: MAX_ROUNDS_PER_LINK });
      expect(w.links.caller).toHaveLength(0);
      expect(w.links.target).toHaveLength(1);
      targetEcho(w.links.target[0]!);
      const relayedBefore = w.service.counts().relayedBytes;
      await roundTrip(relayed, payload);
      expect(w.service.counts().relayedBytes - relayedBefore).toBeGreaterThan(2 * payload.length);
    }
    // Either way no further round for this key and channel: a new relayed link of it is not upgraded again.
    const answeredBefore = w.events.targetFailures.length + w.events.target.length;
    const again = await w.dialer.connect('127.0.0.1', CLOSED_PORT, CHANNEL, { expectedKey: w.target.identity.publicKey }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(w.events.targetFailures.length + w.events.target.length).toBe(answeredBefore);
    expect(w.events.caller).toHaveLength(1);
    again?.close();
    w.close();
  }, 90_000);

  it('a peer that does not take part (--no-direct: no punch service) ends the upgrade after one round, not three', async () => {
    const w = await world();
    w.close();
    await waitFor(() => w.service.counts().registered === 0, 5000, 'the target gone from the relay');
    const plain = await createNodes(1);
    const quiet = plain[0]!;
    for (const [a, b] of [[quiet, w.caller], [quiet, w.relay]] as const) {
      a.trust.add(b.identity);
      b.trust.add(a.identity);
    }
    quiet.node.handle('torrent', () => true);
    const registration = new RelayRegistration(quiet.node, [w.relayAddress]);
    await waitFor(() => w.service.counts().registered === 1, 5000, 'registration');
    const events: DirectEvent[] = [];
    const callerPuncher = new HolePuncher(w.caller.node, { retryDelayMs: RETRY_DELAY_MS });
    callerPuncher.on('direct', (event: DirectEvent) => events.push(event));
    const dialer = new RelayDialer(w.caller.node, { relays: [w.relayAddress], headStartMs: 50, onRelayed: (link, via) => callerPuncher.upgrade(link, via) });
    const relayed = await dialer.connect('127.0.0.1', CLOSED_PORT, CHANNEL, { expectedKey: quiet.identity.publicKey });
    await waitFor(() => events.length === 1, 30_000, 'the dialler is done');
    expect(events[0]).toMatchObject({ state: 'failed', rounds: 1 });
    expect(String(events[0]!.reason)).toMatch(/does not serve punch/);
    // No further round follows, and the relayed link carries on.
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * 3));
    expect(events).toHaveLength(1);
    expect(relayed.stream.destroyed).toBe(false);
    relayed.close();
    registration.close();
    callerPuncher.close();
  });

  it('a punch link that does not come through a relay is refused', async () => {
    const w = await world();
    const error = await w.caller.node.connect('127.0.0.1', w.target.port, PUNCH_CHANNEL, { expectedKey: w.target.identity.publicKey }).catch((e: unknown) => e);
    expect(hasErrorCode(error, 'REFUSED_BY_PEER')).toBe(true);
    expect(String((error as Error).message)).toMatch(/a direct upgrade is arranged only through a relay/);
    w.close();
  });

  it('malformed punch records from a trusted peer end its attempt, reported as failed; nothing is dialled', async () => {
    const w = await world();
    const outer = await w.caller.node.connect('127.0.0.1', w.relay.port, relayToChannel(w.target.identity.publicKey), { expectedKey: w.relay.identity.publicKey });
    const punch = await w.caller.node.connectOver(relayedStream(outer), PUNCH_CHANNEL, w.target.identity.publicKey, w.relayAddress);
    punch.stream.write(Buffer.from([0x09, 0x01]));
    await waitFor(() => w.events.targetFailures.length === 1, 10_000, 'failed answer');
    expect(w.events.targetFailures[0]).toMatchObject({ reason: 'unknown record type 9' });
    expect(w.events.target).toHaveLength(0);
    await waitFor(() => punch.stream.destroyed, 5000, 'punch link closed');
    expect(w.links.target).toHaveLength(0);
    w.close();
  });
});
