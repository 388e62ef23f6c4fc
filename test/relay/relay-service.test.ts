/**
 * The relay's rules with real nodes on 127.0.0.1 (SwarmNode, RelayService, RelayDialer,
 * RelayRegistration): bytes go end to end through the splice; the relay caps streams and
 * bytes per key; an unregistered key is a passing refusal; a call can only be answered by
 * the key it was for; and a hostile relay that answers the inner handshake itself instead
 * of splicing cannot pass for the target: the dialler's handshake is addressed to the
 * target's key, and the hostile relay is held silent.
 */
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../src/errors.js';
import { CHAT_CHANNEL, relayBackChannel, relayToChannel } from '../../src/net/channel-name.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { RelayDialer } from '../../src/relay/relay-dialer.js';
import { RelayRegistration } from '../../src/relay/relay-registration.js';
import { RelayService } from '../../src/relay/relay-service.js';
import { relayedStream } from '../../src/relay/relayed-stream.js';
import { createNodes, waitFor, type TestNode } from '../helpers/test-nodes.js';

const CLOSED_PORT = 1;

/** relay, target (registered with the relay), caller: everyone trusts everyone unless changed. */
async function world(limits?: { maxStreamsPerKey: number; maxBytesPerKey: number }) {
  const [relay, target, caller] = (await createNodes(3)) as [TestNode, TestNode, TestNode];
  const service = new RelayService(relay.node, relay.trust, limits);
  const registration = new RelayRegistration(target.node, [{ host: '127.0.0.1', port: relay.port, key: relay.identity.publicKey }]);
  await waitFor(() => service.counts().registered === 1, 5000, 'registration');
  const received: PeerLink[] = [];
  target.node.handle('chat', (link) => void received.push(link));
  const dialer = new RelayDialer(caller.node, { relays: [{ host: '127.0.0.1', port: relay.port, key: relay.identity.publicKey }], headStartMs: 50 });
  const dial = () => dialer.connect('127.0.0.1', CLOSED_PORT, CHAT_CHANNEL, { expectedKey: target.identity.publicKey });
  return { relay, target, caller, service, registration, received, dial };
}

function echo(link: PeerLink): void {
  link.stream.on('data', (chunk: Buffer) => link.stream.write(chunk));
}

function roundTrip(link: PeerLink, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    let length = 0;
    link.stream.on('data', (chunk: Buffer) => {
      got.push(chunk);
      length += chunk.length;
      if (length >= bytes.length) resolve(Buffer.concat(got));
    });
    link.stream.write(bytes);
  });
}

describe('relay service', () => {
  it('splices a dialler to a registered key: the link is authenticated end to end and bytes round-trip', async () => {
    const w = await world();
    const link = await w.dial();
    expect(Buffer.from(link.remoteKey).equals(Buffer.from(w.target.identity.publicKey))).toBe(true);
    expect(link.via).toBe(`127.0.0.1:${w.relay.port}`);
    await waitFor(() => w.received.length === 1);
    // The target sees the caller's own key, proved inside the splice (not the relay's).
    expect(Buffer.from(w.received[0]!.remoteKey).equals(Buffer.from(w.caller.identity.publicKey))).toBe(true);
    echo(w.received[0]!);
    const payload = Buffer.alloc(300_000, 7);
    expect((await roundTrip(link, payload)).equals(payload)).toBe(true);
    expect(w.service.counts().relayedBytes).toBeGreaterThan(2 * payload.length);
    w.registration.close();
  });

  it('the target\'s refusal and its reason come through the relay (not as "no answer"), and so do bytes written just before an end', async () => {
    const w = await world();
    const outer = await w.caller.node.connect('127.0.0.1', w.relay.port, relayToChannel(w.target.identity.publicKey), { expectedKey: w.relay.identity.publicKey });
    // The target serves chat only: it answers the handshake and refuses the channel in one burst, then ends.
    const error = await w.caller.node.connectOver(relayedStream(outer), 'punch', w.target.identity.publicKey, { host: '127.0.0.1', port: w.relay.port }).catch((e: unknown) => e);
    expect(hasErrorCode(error, 'REFUSED_BY_PEER')).toBe(true);
    expect((error as { reason?: string }).reason).toMatch(/^no-service: this node does not serve punch/);
    const link = await w.dial();
    await waitFor(() => w.received.length === 1);
    const last = Buffer.alloc(50_000, 9);
    w.received[0]!.stream.end(last);
    const got: Buffer[] = [];
    link.stream.on('data', (chunk: Buffer) => got.push(chunk));
    await new Promise((resolve) => link.stream.once('close', resolve));
    expect(Buffer.concat(got).equals(last)).toBe(true);
    w.registration.close();
  });

  it('caps relayed streams per key: one over the cap is refused as busy', async () => {
    const w = await world({ maxStreamsPerKey: 2, maxBytesPerKey: 1 << 30 });
    await w.dial();
    await w.dial();
    await waitFor(() => w.service.counts().streams === 2);
    const third = await w.dial().catch((error: unknown) => error);
    expect(hasErrorCode(third, 'CONNECT_FAILED')).toBe(true);
    expect(String((third as Error).message)).toMatch(/too many relayed streams for one key \(limit 2\)/);
    w.registration.close();
  });

  it('calls still waiting for their answer count against the cap: three at once with a cap of 2 give two links', async () => {
    const w = await world({ maxStreamsPerKey: 2, maxBytesPerKey: 1 << 30 });
    const outcomes = await Promise.allSettled([w.dial(), w.dial(), w.dial()]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(String((refused.reason as Error).message)).toMatch(/too many relayed streams for one key/);
    w.registration.close();
  });

  it('caps bytes per key: a stream that crosses the allowance is closed, and the next call is refused', async () => {
    const w = await world({ maxStreamsPerKey: 16, maxBytesPerKey: 200_000 });
    const link = await w.dial();
    await waitFor(() => w.received.length === 1);
    echo(w.received[0]!);
    const closed = new Promise<void>((resolve) => link.stream.once('close', () => resolve()));
    link.stream.on('data', () => {});
    link.stream.on('error', () => {});
    link.stream.write(Buffer.alloc(400_000, 1));
    await closed;
    const next = await w.dial().catch((error: unknown) => error);
    expect(hasErrorCode(next, 'RELAY_REFUSED')).toBe(true);
    expect(String((next as Error).message)).toMatch(/byte allowance for one key is used up/);
    w.registration.close();
  });

  it('refuses a key it does not trust (final) and a key not registered (passing)', async () => {
    const w = await world();
    const [stranger] = await createNodes(1);
    w.caller.trust.add(stranger!.identity);
    const dialer = new RelayDialer(w.caller.node, { relays: [{ host: '127.0.0.1', port: w.relay.port, key: w.relay.identity.publicKey }], headStartMs: 50 });
    const untrusted = await dialer.connect('127.0.0.1', CLOSED_PORT, CHAT_CHANNEL, { expectedKey: stranger!.identity.publicKey }).catch((e: unknown) => e);
    expect(untrusted).toMatchObject({ code: 'RELAY_REFUSED' });
    expect(String((untrusted as Error).message)).toMatch(/this relay does not relay for that key/);
    w.relay.trust.add(stranger!.identity);
    const unregistered = await dialer.connect('127.0.0.1', CLOSED_PORT, CHAT_CHANNEL, { expectedKey: stranger!.identity.publicKey }).catch((e: unknown) => e);
    expect(unregistered).toMatchObject({ code: 'CONNECT_FAILED' });
    expect(String((unregistered as Error).message)).toMatch(/is not registered with this relay now/);
    w.registration.close();
  });

  it('a call can only be answered by the key it was for', async () => {
    const w = await world();
    // The caller opens a call to the target, then tries to answer it itself with a guessed token.
    const call = await w.caller.node.connect('127.0.0.1', w.relay.port, relayToChannel(w.target.identity.publicKey), { expectedKey: w.relay.identity.publicKey });
    const forged = await w.caller.node.connect('127.0.0.1', w.relay.port, relayBackChannel(Buffer.alloc(16, 1)), { expectedKey: w.relay.identity.publicKey }).catch((e: unknown) => e);
    expect(forged).toMatchObject({ code: 'REFUSED_BY_PEER', reason: 'no-service: no such call waiting' });
    call.close();
    w.registration.close();
  });

  it('a hostile relay that answers the inner handshake itself is met with silence: it cannot pass for the target', async () => {
    const [hostile, target, caller] = (await createNodes(3)) as [TestNode, TestNode, TestNode];
    // Instead of splicing, the relay runs a listener's handshake on the caller's stream as itself.
    hostile.node.handle('relay', (link) => {
      setImmediate(() => hostile.node.acceptOver(relayedStream(link), { host: '127.0.0.1', port: 0 }));
    });
    let impostorLinks = 0;
    hostile.node.handle('chat', () => void impostorLinks++);
    const dialer = new RelayDialer(caller.node, { relays: [{ host: '127.0.0.1', port: hostile.port, key: hostile.identity.publicKey }], headStartMs: 50 });
    const result = await dialer.connect('127.0.0.1', CLOSED_PORT, CHAT_CHANNEL, { expectedKey: target.identity.publicKey }).catch((e: unknown) => e);
    expect(result).toMatchObject({ code: 'NO_ANSWER' });
    expect(impostorLinks).toBe(0);
    // The caller's message 1 was made for the target's key: the impostor could not even check its mac1.
    expect(hostile.refusals.some((r) => r.code === 'BAD_MAC1')).toBe(true);
  }, 20_000);
});
