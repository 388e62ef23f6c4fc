// The first read of an inbound connection (net/message1-gate.ts) through a real SwarmNode
// listener on 127.0.0.1: forged message 1s cost no Diffie-Hellman and get no byte back, a
// genuine message 1 passes however TCP splits it, and the shared deadline closes the rest.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dhCounter } from '../../src/crypto/noise-dh.js';
import { MESSAGE1_BYTES, MESSAGE2_BYTES, TYPE_MESSAGE2, V2_MARKER } from '../../src/secure/handshake-wire.js';
import { InitiatorHandshake } from '../../src/secure/swarm-handshake.js';
import { collect } from '../helpers/duplex-pair.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

const sockets: Socket[] = [];
afterEach(() => sockets.splice(0).forEach((socket) => socket.destroy()));

function open(port: number): Socket {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  sockets.push(socket);
  return socket;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('message 1 gate', () => {
  it('does no Diffie-Hellman and sends no byte for forged message 1s (random, or made for another key)', async () => {
    // All from 127.0.0.1: the per-address cap of pending connections is raised so each reaches the gate.
    const [a, b, c] = await createNodes(3, { node: { handshakeTimeoutMs: 600, maxPendingPerAddress: 64 } });
    a!.node.handle('chat', () => {});
    const dhBefore = dhCounter.calls;
    const replies = [];
    for (let i = 0; i < 40; i++) {
      const socket = open(a!.port);
      replies.push(collect(socket));
      // Half random bytes after the marker; half a real message 1 from a trusted key, addressed to c (wrong mac1 for a).
      const message = i % 2 === 0 ? Buffer.concat([V2_MARKER, randomBytes(MESSAGE1_BYTES - V2_MARKER.length)]) : new InitiatorHandshake({ identity: b!.identity, responderKey: c!.identity.publicKey, channel: 'chat' }).message1();
      socket.write(message);
    }
    // Making the 20 real message 1s costs the initiator one DH each (es); the node must add none.
    const dhByInitiators = dhCounter.calls - dhBefore;
    await waitFor(() => a!.node.refusalCounts.get('BAD_MAC1') === 40);
    expect(dhCounter.calls - dhBefore).toBe(dhByInitiators);
    await Promise.all(replies.map((reply) => reply.closed));
    expect(replies.map((reply) => reply.bytes())).toEqual(replies.map(() => 0));
    expect(a!.refusals.filter((refusal) => refusal.code === 'BAD_MAC1')).toEqual([]);
    // The counter is live: a genuine dial does its Diffie-Hellman on both sides.
    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey });
    expect(dhCounter.calls - dhBefore - dhByInitiators).toBeGreaterThanOrEqual(4);
    link.close();
  });

  it('passes a genuine message 1 that arrives in pieces, and answers it with message 2', async () => {
    const [a, b] = await createNodes(2);
    a!.node.handle('chat', () => {});
    const message = new InitiatorHandshake({ identity: b!.identity, responderKey: a!.identity.publicKey, channel: 'chat' }).message1();
    const socket = open(a!.port);
    const reply = collect(socket);
    for (const [start, end] of [[0, 3], [3, 100], [100, MESSAGE1_BYTES]] as const) {
      socket.write(message.subarray(start, end));
      await sleep(30);
    }
    await reply.untilBytes(MESSAGE2_BYTES);
    expect(reply.data[0]![0]).toBe(TYPE_MESSAGE2);
  });

  it('closes a connection that sends nothing, or too little, at the deadline (one shared timer)', async () => {
    const [a] = await createNodes(1, { node: { handshakeTimeoutMs: 300 } });
    const idle = collect(open(a!.port));
    const short = open(a!.port);
    const shortReply = collect(short);
    short.write(Buffer.concat([V2_MARKER, randomBytes(100)]));
    expect(await Promise.race([Promise.all([idle.closed, shortReply.closed]).then(() => 'closed'), sleep(5000).then(() => 'open')])).toBe('closed');
    expect(idle.bytes() + shortReply.bytes()).toBe(0);
    expect(a!.node.refusalCounts.get('HANDSHAKE_TIMEOUT')).toBe(2);
  });
});
