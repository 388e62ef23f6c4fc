/**
 * The direct upgrade (relay/hole-punch.ts) with real nodes and a real relay on 127.0.0.1
 * (no NAT here: test/e2e/relay-direct-upgrade.test.ts runs it through real routers, where
 * it succeeds): when the two ends' dials cannot meet, the attempt ends within its bounds,
 * is reported once at each end, and the relayed link carries on; a `punch` link that does not come
 * through a relay is refused; a peer sending malformed punch records only ends its attempt.
 */
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../src/errors.js';
import { PUNCH_CHANNEL, relayToChannel, torrentChannel } from '../../src/net/channel-name.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { HolePuncher, PUNCH_SETUP_TIMEOUT_MS, type DirectEvent } from '../../src/relay/hole-punch.js';
import { DEFAULT_OPEN_LIMITS } from '../../src/relay/simultaneous-open.js';
import { RelayDialer } from '../../src/relay/relay-dialer.js';
import { RelayRegistration } from '../../src/relay/relay-registration.js';
import { RelayService } from '../../src/relay/relay-service.js';
import { relayedStream } from '../../src/relay/relayed-stream.js';
import { createNodes, waitFor, type TestNode } from '../helpers/test-nodes.js';

const CLOSED_PORT = 1;
const CHANNEL = torrentChannel('ab'.repeat(20));

async function world() {
  const [relay, target, caller] = (await createNodes(3)) as [TestNode, TestNode, TestNode];
  const service = new RelayService(relay.node, relay.trust);
  const relayAddress = { host: '127.0.0.1', port: relay.port, key: relay.identity.publicKey };
  const registration = new RelayRegistration(target.node, [relayAddress]);
  await waitFor(() => service.counts().registered === 1, 5000, 'registration');
  const events: { target: DirectEvent[]; caller: DirectEvent[] } = { target: [], caller: [] };
  const targetPuncher = new HolePuncher(target.node);
  const callerPuncher = new HolePuncher(caller.node);
  targetPuncher.on('direct', (event: DirectEvent) => events.target.push(event));
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
  it('when the dials never meet, each end reports one failure within the bounds, and the relayed link carries on', async () => {
    // On loopback a SYN to a port nobody is dialling from is answered by a RST at once (as a
    // router without a conntrack entry answers it), and two dials from one process never
    // overlap: the worst case. test/e2e/relay-direct-upgrade.test.ts has the success.
    const w = await world();
    const relayed = await w.dialer.connect('127.0.0.1', CLOSED_PORT, CHANNEL, { expectedKey: w.target.identity.publicKey });
    expect(relayed.via).toBe(`127.0.0.1:${w.relay.port}`);
    const startMs = performance.now();
    await waitFor(() => w.events.caller.length === 1 && w.events.target.length === 1, 15_000, 'direct events');
    const tookMs = performance.now() - startMs;
    for (const [event, role] of [[w.events.caller[0]!, 'dialler'], [w.events.target[0]!, 'answerer']] as const) {
      expect(event).toMatchObject({ state: 'failed', role });
      // Bounded: at most DEFAULT_OPEN_LIMITS.maxAttempts dials, each answered by a RST.
      const dials = Number(/\((\d+) dials; last: ECONNREFUSED\)$/.exec(String(event.reason))?.[1]);
      expect(dials).toBeGreaterThan(0);
      expect(dials).toBeLessThanOrEqual(DEFAULT_OPEN_LIMITS.maxAttempts);
    }
    expect(tookMs).toBeLessThan(PUNCH_SETUP_TIMEOUT_MS + DEFAULT_OPEN_LIMITS.windowMs);
    // Nothing direct was handed to either torrent; the relayed link still carries bytes.
    expect(w.links.caller).toHaveLength(0);
    expect(w.links.target).toHaveLength(1);
    const targetEnd = w.links.target[0]!;
    targetEnd.stream.on('data', (chunk: Buffer) => targetEnd.stream.write(chunk));
    const relayedBefore = w.service.counts().relayedBytes;
    const payload = Buffer.alloc(100_000, 3);
    await new Promise<void>((resolve) => {
      let length = 0;
      relayed.stream.on('data', (chunk: Buffer) => (length += chunk.length) >= payload.length && resolve());
      relayed.stream.write(payload);
    });
    expect(w.service.counts().relayedBytes - relayedBefore).toBeGreaterThan(2 * payload.length);
    w.close();
  }, 30_000);

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
    await waitFor(() => w.events.target.length === 1, 10_000, 'failed event');
    expect(w.events.target[0]).toMatchObject({ state: 'failed', role: 'answerer', reason: 'unknown record type 9' });
    await waitFor(() => punch.stream.destroyed, 5000, 'punch link closed');
    expect(w.links.target).toHaveLength(0);
    w.close();
  });
});
