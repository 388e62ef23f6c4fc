// Attacks over real TCP on loopback: a passive observer recording a whole session, and a
// flood of half-open connections while a trusted peer connects.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { collect } from '../helpers/duplex-pair.js';
import { tamperRelay } from '../helpers/tamper-relay.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A TCP relay on 127.0.0.1 forwarding to `port`, recording every byte both ways. */
async function recordingRelay(port: number): Promise<{ port: number; captured: () => Buffer }> {
  const captured: Buffer[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port });
    sockets.push(inbound, outbound);
    const relay = tamperRelay(inbound, outbound);
    relay.captured = captured;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const address = server.address() as { port: number };
  return { port: address.port, captured: () => Buffer.concat(captured) };
}

describe('passive observer', () => {
  it('sees neither identity key nor any plaintext of a whole session', async () => {
    const [a, b] = await createNodes(2);
    const inbound: PeerLink[] = [];
    a!.node.handle('chat', (link) => void inbound.push(link));
    const relay = await recordingRelay(a!.port);
    const link = await b!.node.connect('127.0.0.1', relay.port, 'chat', { expectedKey: a!.identity.publicKey });
    await waitFor(() => inbound.length === 1);
    const atA = collect(inbound[0]!.stream);
    const atB = collect(link.stream);
    const secretFromB = 'the eagle lands at midnight '.repeat(50);
    const secretFromA = 'the answer is forty-two';
    link.stream.write(secretFromB);
    inbound[0]!.stream.write(secretFromA);
    await waitFor(() => atA.text() === secretFromB && atB.text() === secretFromA);
    link.stream.end();
    inbound[0]!.stream.end();
    await Promise.all([atA.closed, atB.closed]);

    const wire = relay.captured();
    expect(wire.length).toBeGreaterThan(secretFromB.length); // the observer did see the session
    for (const identity of [a!.identity, b!.identity]) {
      expect(wire.indexOf(Buffer.from(identity.publicKey))).toBe(-1);
      expect(wire.indexOf(Buffer.from(identity.noisePublicKey))).toBe(-1);
      expect(wire.indexOf(Buffer.from(identity.keyText))).toBe(-1);
    }
    for (const text of ['eagle', 'forty-two', 'chat']) expect(wire.indexOf(Buffer.from(text))).toBe(-1);
  });
});

describe('half-open flood', () => {
  it('500 connections that never handshake do not stop a trusted peer from connecting', async () => {
    const limits = { maxPendingHandshakes: 64, maxPendingPerAddress: 8, handshakeTimeoutMs: 5000 };
    const [a, b] = await createNodes(2, { node: limits });
    a!.node.handle('chat', () => {});
    const attackers: Socket[] = [];
    cleanups.push(() => attackers.forEach((socket) => socket.destroy()));
    // 500 connections from 50 source addresses (127.0.0.2 - 127.0.0.51), none sending a byte.
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        new Promise<void>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port: a!.port, localAddress: `127.0.0.${2 + (i % 50)}` });
          socket.on('error', () => {});
          socket.once('connect', () => resolve());
          socket.once('close', () => resolve());
          attackers.push(socket);
        }),
      ),
    );
    // Evicted (the busiest network pays) or turned away (an address at its own cap).
    const shed = () => (a!.node.refusalCounts.get('PENDING_EVICTED') ?? 0) + (a!.node.refusalCounts.get('PENDING_FULL') ?? 0);
    await waitFor(() => shed() >= 500 - limits.maxPendingHandshakes, 5000, 'server to see the flood');
    expect(a!.node.pendingCount).toBeLessThanOrEqual(limits.maxPendingHandshakes);

    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey });
    expect(link.channel).toBe('chat');
    expect(a!.node.pendingCount).toBeLessThanOrEqual(limits.maxPendingHandshakes);
  });
});
