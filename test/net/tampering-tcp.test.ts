// A man in the middle on real TCP (127.0.0.1) between two SwarmNodes: damaged, truncated,
// replayed, reordered or oversized frames kill the connection and deliver no bad data; so
// do bytes an initiator sends before its answer.
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { encodeFrameHeader, FrameDecoder } from '../../src/secure/frame-codec.js';
import { MESSAGE2_BYTES, TYPE_MESSAGE2, V2_MARKER } from '../../src/secure/handshake-wire.js';
import { encodeAccept } from '../../src/secure/session-records.js';
import { InitiatorHandshake } from '../../src/secure/swarm-handshake.js';
import { collect } from '../helpers/duplex-pair.js';
import { tamperRelay, type TamperRelay } from '../helpers/tamper-relay.js';
import { createNodes, waitFor, type TestNode } from '../helpers/test-nodes.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function relayTo(port: number): Promise<{ port: number; relays: TamperRelay[] }> {
  const relays: TamperRelay[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port });
    sockets.push(inbound, outbound);
    relays.push(tamperRelay(inbound, outbound));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    sockets.forEach((socket) => socket.destroy());
    server.close();
  });
  return { port: (server.address() as { port: number }).port, relays };
}

/** b dials a through the relay; then the relay holds b's next two frames, "AAAA" and "BBBB". */
async function heldFrames(options: Parameters<typeof createNodes>[1] = {}) {
  const [a, b] = await createNodes(2, options);
  const inbound: PeerLink[] = [];
  a!.node.handle('chat', (link) => void inbound.push(link));
  const relay = await relayTo(a!.port);
  const link = await b!.node.connect('127.0.0.1', relay.port, 'chat');
  await waitFor(() => inbound.length === 1);
  const received = collect(inbound[0]!.stream);
  const mitm = relay.relays[0]!;
  mitm.isHolding = true;
  link.stream.write('AAAA');
  await new Promise((resolve) => setTimeout(resolve, 20));
  link.stream.write('BBBB');
  let frames: Buffer[] = [];
  await waitFor(() => (frames = new FrameDecoder().push(Buffer.concat(mitm.held))).length === 2);
  return { a: a as TestNode, mitm, received, frames: frames.map((body) => Buffer.concat([encodeFrameHeader(body.length), body])) };
}

describe('man in the middle over TCP', () => {
  it('untampered frames pass (control)', async () => {
    const t = await heldFrames();
    t.mitm.toServer(Buffer.concat(t.frames));
    await waitFor(() => t.received.text() === 'AAAABBBB');
  });

  it('a flipped bit kills the connection; nothing is delivered', async () => {
    const t = await heldFrames();
    const bad = Buffer.from(t.frames[1]!);
    bad[bad.length - 1]! ^= 0x40; // in the tag
    t.mitm.toServer(Buffer.concat([t.frames[0]!, bad]));
    expect(await t.received.closed).toMatchObject({ code: 'BAD_FRAME' });
    expect(t.received.text()).not.toContain('B');
  });

  it('a truncated frame kills the connection; nothing is delivered', async () => {
    const t = await heldFrames();
    t.mitm.toServer(t.frames[0]!.subarray(0, t.frames[0]!.length - 3));
    t.mitm.endToServer();
    expect(await t.received.closed).toMatchObject({ code: 'TRUNCATED' });
    expect(t.received.bytes()).toBe(0);
  });

  it('a replayed frame kills the connection and is never delivered twice', async () => {
    const t = await heldFrames();
    t.mitm.toServer(Buffer.concat([t.frames[0]!, t.frames[0]!]));
    expect(await t.received.closed).toMatchObject({ code: 'BAD_FRAME' });
    expect(['', 'AAAA']).toContain(t.received.text());
  });

  it('reordered frames kill the connection; nothing is delivered', async () => {
    const t = await heldFrames();
    t.mitm.toServer(Buffer.concat([t.frames[1]!, t.frames[0]!]));
    expect(await t.received.closed).toMatchObject({ code: 'BAD_FRAME' });
    expect(t.received.bytes()).toBe(0);
  });

  it('an oversized transport frame is refused from its header', async () => {
    const t = await heldFrames({ node: { maxFrameBytes: 1024 } });
    t.mitm.toServer(encodeFrameHeader(1025));
    expect(await t.received.closed).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect(t.received.bytes()).toBe(0);
  });

  it('bytes right behind a valid message 1 are read only after the answer: the first frame that fails authentication aborts the link, and no byte reaches the channel', async () => {
    const [a, b] = await createNodes(2);
    const inbound: PeerLink[] = [];
    const delivered: Buffer[] = [];
    a!.node.handle('chat', (link) => {
      inbound.push(link);
      link.stream.on('data', (chunk: Buffer) => void delivered.push(chunk));
    });
    const socket = connect({ host: '127.0.0.1', port: a!.port });
    cleanups.push(() => socket.destroy());
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    const replies = collect(socket);
    const handshake = new InitiatorHandshake({ identity: b!.identity, responderKey: a!.identity.publicKey, channel: 'chat' });
    // No frame can be sealed before message 2 (its keys come from it): a whole frame of
    // made-up bytes, in the same write as message 1.
    socket.write(Buffer.concat([handshake.message1(), encodeFrameHeader(40), randomBytes(40)]));
    await replies.closed;
    // Answered first: message 2 and ACCEPT; then closed with no end frame (an abort).
    const answer = Buffer.concat(replies.data);
    expect(answer[0]).toBe(TYPE_MESSAGE2);
    const keys = handshake.readMessage2(answer.subarray(0, MESSAGE2_BYTES));
    const frames = new FrameDecoder().push(answer.subarray(MESSAGE2_BYTES));
    expect(frames.map((body) => Buffer.concat(keys.opener.openParts([body])))).toEqual([encodeAccept()]);
    expect(inbound).toHaveLength(1);
    await waitFor(() => inbound[0]!.stream.destroyed);
    expect(inbound[0]!.closeError()).toMatchObject({ code: 'BAD_FRAME' });
    expect(delivered).toEqual([]);
  });

  it('garbage after a v2 marker is judged on its first 307 bytes (wrong mac1) and the rest is discarded unanswered', async () => {
    const [a] = await createNodes(1, { node: { handshakeTimeoutMs: 400 } });
    const socket = connect({ host: '127.0.0.1', port: a!.port });
    cleanups.push(() => socket.destroy());
    socket.on('error', () => {});
    const replies = collect(socket);
    socket.write(Buffer.concat([V2_MARKER, Buffer.alloc(60_000, 0xab)]));
    await waitFor(() => a!.node.refusalCounts.get('BAD_MAC1') === 1);
    await replies.closed;
    expect(replies.bytes()).toBe(0);
  });
});
