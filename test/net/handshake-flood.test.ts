// Floods of forged Noise message 1s and of handshakes from one address, over real TCP on
// loopback (127.0.0.x gives distinct source addresses), while trusted peers connect.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dhCounter } from '../../src/crypto/noise-dh.js';
import type { Identity } from '../../src/identity/identity.js';
import { HandshakeReader } from '../../src/secure/handshake-reader.js';
import { MESSAGE2_BYTES } from '../../src/secure/handshake-wire.js';
import { SecureChannel } from '../../src/secure/secure-channel.js';
import { InitiatorHandshake } from '../../src/secure/swarm-handshake.js';
import { IDLE_EXPENDABLE_MS } from '../../src/net/message1-gate.js';
import { floodMessage1, forgedMessage1 } from '../helpers/message1-flood.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const rates = { perAddressPerSecond: 40, perAddressBurst: 40 };

describe('a flood of forged message 1s from one address', () => {
  it('gets no answer and at most its address\'s rate of DH work; trusted peers on another and on the same address connect', async () => {
    // A generous deadline: the flood shares this process and a busy machine; only silence and DH counts are asserted.
    const [a, b, c] = await createNodes(3, { node: { handshakeRates: rates, handshakeTimeoutMs: 15_000 } });
    let links = 0;
    a!.node.handle('chat', () => void links++);
    const signal = { stopped: false };
    cleanups.push(() => (signal.stopped = true));
    const dhBefore = dhCounter.calls;
    // The forger knows a's key (valid mac1), so each message 1 that gets a turn costs a a DH.
    const flood = floodMessage1({ port: a!.port, localAddress: '127.0.0.2', count: 1500, perSecond: 2000, holdMs: 300, signal, responderKey: a!.identity.publicKey });
    const fireAndForget = floodMessage1({ port: a!.port, localAddress: '127.0.0.2', count: 1500, perSecond: 2000, holdMs: 0, signal, responderKey: a!.identity.publicKey });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const elsewhere = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey, localAddress: '127.0.0.3' });
    // The same address: a handshake that is turned away at the address's cap is retried, as maintain() would.
    let sameAddress;
    for (let attempt = 0; attempt < 50 && !sameAddress; attempt++) {
      sameAddress = await c!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey, localAddress: '127.0.0.2' }).catch(() => undefined);
    }
    const [held, ended] = await Promise.all([flood, fireAndForget]);
    expect(elsewhere.channel).toBe('chat');
    expect(sameAddress?.channel).toBe('chat');
    expect(held.opened + ended.opened).toBeGreaterThan(1000);
    const elapsedSeconds = Math.max(held.elapsedMs, ended.elapsedMs) / 1000;
    // v2 answers no forged message 1 (at most with a cookie reply, when under load: the
    // forger knows a's key), and the address's bucket bounds the DH spent on them
    // (one each: es, before s fails to decrypt), plus the two trusted handshakes (4 DH each, both sides in-process).
    expect(held.answered + ended.answered).toBe(0);
    const turns = rates.perAddressBurst + Math.ceil(rates.perAddressPerSecond * (elapsedSeconds + 1));
    expect(dhCounter.calls - dhBefore).toBeLessThanOrEqual(turns + 2 * 8 * 50);
    await waitFor(() => links === 2);
  });
});

/** b's handshake from `localAddress`, run by hand so it can pause in the middle of message 1. */
async function pausedHandshake(port: number, identity: Identity, responderKey: Uint8Array, localAddress: string) {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => {});
  cleanups.push(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  const reader = new HandshakeReader(socket);
  const handshake = new InitiatorHandshake({ identity, responderKey, channel: 'chat' });
  const message1 = handshake.message1();
  socket.write(message1.subarray(0, 100));
  return {
    /** Sends the rest of message 1; resolves with the responder's answer. */
    finish: async () => {
      if (socket.destroyed) return 'closed: evicted';
      socket.write(message1.subarray(100));
      const message2 = await reader.readExactly(MESSAGE2_BYTES).catch(() => undefined);
      if (!message2) return 'closed';
      const channel = new SecureChannel(socket, handshake.readMessage2(message2), { isInitiator: true });
      return new Promise<string>((resolve) => {
        channel.stream.once('close', () => resolve(`closed: ${channel.closeError?.message ?? ''}`));
        channel.start(reader.detach(), (record) => resolve(record.type));
      });
    },
  };
}

describe('handshakes from the address of a peer whose handshake is in progress', () => {
  it('never evict it: 64 newcomers from the same address are turned away instead', async () => {
    const [a, b] = await createNodes(2, { node: { maxPendingHandshakes: 64, maxPendingPerAddress: 8 } });
    a!.node.handle('chat', () => {});
    const inProgress = await pausedHandshake(a!.port, b!.identity, a!.identity.publicKey, '127.0.0.4');
    const newcomers: Socket[] = [];
    cleanups.push(() => newcomers.forEach((socket) => socket.destroy()));
    for (let i = 0; i < 64; i++) {
      const socket = connect({ host: '127.0.0.1', port: a!.port, localAddress: '127.0.0.4' });
      socket.on('error', () => {});
      newcomers.push(socket);
    }
    const shed = () => (a!.node.refusalCounts.get('PENDING_FULL') ?? 0) + (a!.node.refusalCounts.get('PENDING_EVICTED') ?? 0);
    await waitFor(() => shed() >= 64 - 7, 5000, 'the node to see the newcomers');
    expect(await inProgress.finish()).toBe('accept');
  });
});

/** `count` connections from `localAddress` that send `bytes` (if any) and stay open; resolves once all are connected. */
async function heldConnections(port: number, localAddress: string, count: number, bytes?: Buffer) {
  const sockets: Socket[] = [];
  const received: number[] = [];
  cleanups.push(() => sockets.forEach((socket) => socket.destroy()));
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress });
      sockets.push(socket);
      received[i] = 0;
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => (received[i] += chunk.length));
      return new Promise((resolve) => socket.once('connect', resolve)).then(() => bytes && socket.write(bytes));
    }),
  );
  return { sockets, bytesAnswered: () => received.reduce((sum, n) => sum + n, 0) };
}

describe('a trusted initiator from an address whose pending slots are full', () => {
  // A deadline far beyond the test: no slot frees itself while the initiator tries.
  const limits = { maxPendingHandshakes: 64, maxPendingPerAddress: 8, handshakeTimeoutMs: 60_000 };

  it('gets in on its first attempt when the slots hold forged message 1s (silent, wrong mac1)', async () => {
    const [a, b] = await createNodes(2, { node: limits });
    a!.node.handle('chat', () => {});
    const held = await heldConnections(a!.port, '127.0.0.6', 8, forgedMessage1());
    await waitFor(() => a!.node.refusalCounts.get('BAD_MAC1') === 8 && a!.node.pendingCount === 8, 5000, 'eight silent connections');
    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey, localAddress: '127.0.0.6' });
    expect(link.channel).toBe('chat');
    // One silent connection made room (closed, still unanswered); the other seven are held on.
    expect(a!.node.refusalCounts.get('PENDING_EVICTED')).toBe(1);
    expect(a!.node.refusalCounts.get('PENDING_FULL')).toBeUndefined();
    await waitFor(() => held.sockets.filter((socket) => socket.destroyed || socket.readableEnded).length === 1, 5000, 'the evicted connection to close');
    expect(held.bytesAnswered()).toBe(0);
    link.close();
  });

  it('gets in on its first attempt when the slots hold message 1s with a valid mac1 whose handshake failed (a forger who knows the key)', async () => {
    const [a, b] = await createNodes(2, { node: limits });
    a!.node.handle('chat', () => {});
    const dhBefore = dhCounter.calls;
    // Each passes mac1, gets its budget turn, and fails after one DH (its static key is random bytes); the forger holds it open.
    const held = await heldConnections(a!.port, '127.0.0.8', 8, forgedMessage1(a!.identity.publicKey));
    await waitFor(() => a!.node.refusalCounts.get('BAD_HANDSHAKE') === 8 && a!.node.pendingCount === 8, 5000, 'eight failed handshakes held open');
    expect(dhCounter.calls - dhBefore).toBe(8);
    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey, localAddress: '127.0.0.8' });
    expect(link.channel).toBe('chat');
    // One failed connection made room (closed, unanswered); the other seven are still held.
    expect(a!.node.refusalCounts.get('PENDING_EVICTED')).toBe(1);
    expect(a!.node.refusalCounts.get('PENDING_FULL')).toBeUndefined();
    expect(held.bytesAnswered()).toBe(0);
    link.close();
  });

  it('gets in on its first attempt when the slots hold connections that sent nothing', async () => {
    const [a, b] = await createNodes(2, { node: limits });
    a!.node.handle('chat', () => {});
    const held = await heldConnections(a!.port, '127.0.0.7', 8);
    await waitFor(() => a!.node.pendingCount === 8, 5000, 'eight idle connections');
    // Only a connection idle for a while gives up its slot (a fresh one may have its message 1 in flight).
    await new Promise((resolve) => setTimeout(resolve, 2 * IDLE_EXPENDABLE_MS));
    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey, localAddress: '127.0.0.7' });
    expect(link.channel).toBe('chat');
    expect(a!.node.refusalCounts.get('PENDING_EVICTED')).toBe(1);
    expect(held.bytesAnswered()).toBe(0);
    link.close();
  });
});
