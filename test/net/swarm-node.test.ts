// SwarmNode over real TCP sockets on 127.0.0.1: routing, trust in both directions, limits.
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { torrentChannel } from '../../src/net/channel-name.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { SwarmNode, type Refusal } from '../../src/net/swarm-node.js';
import { createIdentity } from '../../src/identity/identity.js';
import { fingerprint } from '../../src/identity/key-text.js';
import { encodePreamble } from '../../src/secure/preamble.js';
import { MESSAGE1_BYTES, V1_PREAMBLE, V2_MARKER } from '../../src/secure/handshake-wire.js';
import { collect } from '../helpers/duplex-pair.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

const INFOHASH = '0123456789abcdef0123456789abcdef01234567';

describe('SwarmNode', () => {
  it('connects two trusting nodes on a chat channel and carries data both ways', async () => {
    const [a, b] = await createNodes(2);
    const inbound: PeerLink[] = [];
    a!.node.handle('chat', (link) => void inbound.push(link));
    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey });
    expect(link.channel).toBe('chat');
    expect(Buffer.from(link.remoteKey)).toEqual(Buffer.from(a!.identity.publicKey));
    await waitFor(() => inbound.length === 1);
    expect(Buffer.from(inbound[0]!.remoteKey)).toEqual(Buffer.from(b!.identity.publicKey));
    expect(inbound[0]!.remoteKeyText).toBe(b!.identity.keyText);
    const atA = collect(inbound[0]!.stream);
    const atB = collect(link.stream);
    link.stream.write('hello from b');
    inbound[0]!.stream.write('hello from a');
    await waitFor(() => atA.text() === 'hello from b' && atB.text() === 'hello from a');
  });

  it('dials from its --host address, so peers (and peer exchange) see where it listens', async () => {
    const [a] = await createNodes(1, { trust: 'none' });
    const identity = createIdentity();
    a!.trust.add(identity);
    const b = new SwarmNode({ identity, trust: { allows: () => true }, host: '127.0.0.9', port: 0 });
    try {
      await b.listen();
      const inbound: PeerLink[] = [];
      a!.node.handle('chat', (link) => void inbound.push(link));
      // The kernel would pick 127.0.0.1 as the source for 127.0.0.1; b must leave from 127.0.0.9.
      await b.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey });
      await waitFor(() => inbound.length === 1);
      expect(inbound[0]!.remoteHost).toBe('127.0.0.9');
    } finally {
      await b.close();
    }
  });

  it('routes torrent channels to the torrent handler, and refuses unknown or unwanted ones with a reason', async () => {
    const [a, b] = await createNodes(2);
    const seen: string[] = [];
    a!.node.handle('torrent', (link) => (seen.push(link.channel), link.channel === torrentChannel(INFOHASH)));
    const link = await b!.node.connect('127.0.0.1', a!.port, torrentChannel(INFOHASH));
    expect(link.channel).toBe(`torrent ${INFOHASH}`);
    await expect(b!.node.connect('127.0.0.1', a!.port, torrentChannel('f'.repeat(40)))).rejects.toThrow(/torrent f{40} is not available here/);
    await expect(b!.node.connect('127.0.0.1', a!.port, 'chat')).rejects.toThrow(/this node does not serve chat/);
    await expect(b!.node.connect('127.0.0.1', a!.port, 'files')).rejects.toMatchObject({ code: 'BAD_CHANNEL' });
    expect(seen).toEqual([`torrent ${INFOHASH}`, `torrent ${'f'.repeat(40)}`]);
  });

  it('refuses an untrusted initiator in silence: no handler runs, the refusal is counted and logged with the fingerprint', async () => {
    const [a, b] = await createNodes(2, { node: { handshakeTimeoutMs: 500 } });
    a!.trust.remove(b!.identity);
    let handled = 0;
    a!.node.handle('chat', () => void handled++);
    const refusals: Refusal[] = [];
    a!.node.on('refused', (refusal: Refusal) => refusals.push(refusal));
    // v2: the responder sends nothing to a key it does not trust; the initiator only sees silence.
    await expect(b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey })).rejects.toMatchObject({ code: 'NO_ANSWER', message: expect.stringMatching(/does not trust your key/) });
    await waitFor(() => a!.node.refusalCounts.get('UNTRUSTED_PEER') === 1);
    expect(handled).toBe(0);
    // The key the handshake authenticated travels as data (the reporter prints its trust command).
    expect(refusals).toEqual([
      expect.objectContaining({ code: 'UNTRUSTED_PEER', keyText: b!.identity.keyText, fingerprint: fingerprint(b!.identity.publicKey), reason: 'not trusted', isInbound: true, remoteHost: '127.0.0.1' }),
    ]);
  });

  it('refuses to dial an untrusted key: the initiator sends nothing', async () => {
    const [a, b] = await createNodes(2);
    b!.trust.remove(a!.identity);
    let handled = 0;
    a!.node.handle('chat', () => void handled++);
    await expect(b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey })).rejects.toMatchObject({ code: 'UNTRUSTED_PEER' });
    expect(b!.node.refusalCounts.get('UNTRUSTED_PEER')).toBe(1);
    await waitFor(() => (a!.node.refusalCounts.get('CONNECTION_CLOSED') ?? 0) === 1);
    expect(handled).toBe(0);
    // By address only, no trusted key is there to try.
    await expect(b!.node.connect('127.0.0.1', a!.port, 'chat')).rejects.toMatchObject({ code: 'NO_KEY_ANSWERED' });
  });

  it('gets silence when it dials another key than the one listening there (mac1 is wrong: no DH, no byte)', async () => {
    const [a, b, c] = await createNodes(3, { node: { handshakeTimeoutMs: 500 } });
    a!.node.handle('chat', () => {});
    await expect(b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: c!.identity.publicKey })).rejects.toMatchObject({ code: 'NO_ANSWER' });
    await waitFor(() => a!.node.refusalCounts.get('BAD_MAC1') === 1);
  });

  it('dials by address only: tries the trusted keys, finds the one there, and uses it', async () => {
    const [a, b, c, d, e, f] = await createNodes(6, { node: { handshakeTimeoutMs: 1500 } });
    a!.node.handle('chat', () => {});
    // b trusts five keys; only a listens at a's port. The first round (4 keys) holds it.
    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat');
    expect(Buffer.from(link.remoteKey)).toEqual(Buffer.from(a!.identity.publicKey));
    expect(a!.node.refusalCounts.get('BAD_MAC1') ?? 0).toBeLessThanOrEqual(3);
    void [c, d, e, f];
  });

  it('drops live links of a key removed from the trust store', async () => {
    const [a, b] = await createNodes(2);
    const inbound: PeerLink[] = [];
    a!.node.handle('chat', (link) => void inbound.push(link));
    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat');
    const closed = collect(link.stream).closed;
    await waitFor(() => inbound.length === 1);
    a!.trust.remove(b!.identity);
    await closed;
    expect(a!.node.peerLinks).toHaveLength(0);
    expect(a!.node.refusalCounts.get('REVOKED')).toBe(1);
  });

  it('caps live links per peer key', async () => {
    const [a, b] = await createNodes(2, { node: { maxLinksPerPeer: 2 } });
    a!.node.handle('chat', () => {});
    await b!.node.connect('127.0.0.1', a!.port, 'chat');
    await b!.node.connect('127.0.0.1', a!.port, 'chat');
    await expect(b!.node.connect('127.0.0.1', a!.port, 'chat')).rejects.toThrow(/too many connections from your key \(limit 2\)/);
  });

  it('closes a connection whose handshake does not finish in time', async () => {
    const [a] = await createNodes(1, { node: { handshakeTimeoutMs: 300 } });
    const socket = connect({ host: '127.0.0.1', port: a!.port });
    socket.write(encodePreamble().subarray(0, 2)); // a slowloris: a little, then nothing
    const started = Date.now();
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await waitFor(() => a!.node.refusalCounts.get('HANDSHAKE_TIMEOUT') === 1);
  });

  it('cuts a slowloris that keeps trickling bytes at the handshake deadline', async () => {
    const [a] = await createNodes(1, { node: { handshakeTimeoutMs: 400 } });
    const socket = connect({ host: '127.0.0.1', port: a!.port });
    socket.on('error', () => {});
    const bytes = Buffer.concat([V2_MARKER, Buffer.alloc(MESSAGE1_BYTES - V2_MARKER.length)]);
    let sent = 0;
    const started = Date.now();
    const trickle = setInterval(() => {
      if (sent < bytes.length - 1) socket.write(bytes.subarray(sent, ++sent)); // never the last byte
    }, 40);
    await new Promise((resolve) => socket.on('close', resolve));
    clearInterval(trickle);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sent).toBeGreaterThan(5); // it really was trickling when cut
    await waitFor(() => a!.node.refusalCounts.get('HANDSHAKE_TIMEOUT') === 1);
  });

  it('gives a v1 initiator silence and says so in one refusal', async () => {
    const [a] = await createNodes(1, { node: { handshakeTimeoutMs: 400 } });
    const socket = connect({ host: '127.0.0.1', port: a!.port });
    const reply = collect(socket);
    socket.write(Buffer.concat([V1_PREAMBLE, Buffer.from([0, 32]), Buffer.alloc(32)]));
    await reply.closed;
    expect(Buffer.concat(reply.data)).toHaveLength(0);
    expect(a!.refusals.filter((refusal) => refusal.code === 'PROTOCOL_VERSION')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('a swarm protocol v1 node tried to connect') }),
    ]);
  });

  it('reports a v1 responder in one line naming the version', async () => {
    const [b] = await createNodes(1);
    // What a v1 node does with any other first bytes: sends its preamble and closes.
    const server = createServer((socket) => socket.once('data', () => socket.end(V1_PREAMBLE)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(b!.node.connect('127.0.0.1', port, 'chat', { expectedKey: createIdentity().publicKey })).rejects.toMatchObject({ code: 'UNTRUSTED_PEER' });
      const [other] = await createNodes(1);
      b!.trust.add(other!.identity);
      await expect(b!.node.connect('127.0.0.1', port, 'chat', { expectedKey: other!.identity.publicKey })).rejects.toThrow(`peer 127.0.0.1:${port} runs swarm protocol v1; this node speaks v2`);
    } finally {
      server.close();
    }
  });

  it('reports an unreachable peer as a one-line error', async () => {
    const [a, b] = await createNodes(2);
    const port = a!.port;
    await a!.node.close();
    await expect(b!.node.connect('127.0.0.1', port, 'chat')).rejects.toThrow(`could not connect to 127.0.0.1:${port} (ECONNREFUSED)`);
  });
});
