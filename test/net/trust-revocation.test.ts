// A key removed from the on-disk trust store (as `swarm trust remove` in another process
// does) loses its live links within seconds, and cannot connect again.
import { afterEach, describe, expect, it } from 'vitest';
import { TrustStore } from '../../src/identity/trust-store.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { collect } from '../helpers/duplex-pair.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeIdentities } from '../helpers/test-identities.js';

const nodes: SwarmNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

describe('trust revocation', () => {
  it('drops a removed key within seconds, over TCP, with the real trust store file', async () => {
    const [alice, bob] = makeIdentities(2);
    const home = tempDir();
    TrustStore.load(home).add(bob!.keyText, 'bob');
    const aliceNode = new SwarmNode({ identity: alice!, trust: TrustStore.load(home), host: '127.0.0.1', port: 0, handshakeTimeoutMs: 1000 });
    const bobNode = new SwarmNode({ identity: bob!, trust: { allows: () => true }, host: '127.0.0.1', port: 0, handshakeTimeoutMs: 1000 });
    nodes.push(aliceNode, bobNode);
    const inbound: PeerLink[] = [];
    aliceNode.handle('chat', (link) => void inbound.push(link));
    const { port } = await aliceNode.listen();

    const link = await bobNode.connect('127.0.0.1', port, 'chat', { expectedKey: alice!.publicKey });
    const atBob = collect(link.stream);
    expect(inbound).toHaveLength(1);

    const removedAt = Date.now();
    TrustStore.load(home).remove('bob');
    await atBob.closed;
    expect(Date.now() - removedAt).toBeLessThan(3000);
    expect(aliceNode.peerLinks).toHaveLength(0);
    expect(aliceNode.refusalCounts.get('REVOKED')).toBe(1);
    // v2: a key no longer trusted gets silence; alice says why on her side.
    await expect(bobNode.connect('127.0.0.1', port, 'chat', { expectedKey: alice!.publicKey })).rejects.toMatchObject({ code: expect.stringMatching(/^NO_ANSWER$/) });
    expect(aliceNode.refusalCounts.get('UNTRUSTED_PEER')).toBe(1);
  });

  it('a key revoked between its handshake and its channel request is refused, inbound and outbound', async () => {
    const [alice, bob] = makeIdentities(2);
    // Trusted for the handshake's own check, revoked by the time the channel is opened.
    const trustedOnce = () => {
      let calls = 0;
      return { allows: () => calls++ === 0 };
    };
    const aliceNode = new SwarmNode({ identity: alice!, trust: trustedOnce(), host: '127.0.0.1', port: 0 });
    const bobNode = new SwarmNode({ identity: bob!, trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
    nodes.push(aliceNode, bobNode);
    const inbound: PeerLink[] = [];
    aliceNode.handle('chat', (link) => void inbound.push(link));
    const { port } = await aliceNode.listen();
    await expect(bobNode.connect('127.0.0.1', port, 'chat', { expectedKey: alice!.publicKey })).rejects.toThrow(/no longer on this node's trust list/);
    expect(inbound).toHaveLength(0);
    expect(aliceNode.peerLinks).toHaveLength(0);

    const carolNode = new SwarmNode({ identity: makeIdentities(1)[0]!, trust: trustedOnce(), host: '127.0.0.1', port: 0 });
    nodes.push(carolNode);
    const bobListening = await bobNode.listen();
    bobNode.handle('chat', () => true);
    await expect(carolNode.connect('127.0.0.1', bobListening.port, 'chat', { expectedKey: bob!.publicKey })).rejects.toThrow(/removed from the trust store while connecting/);
    expect(carolNode.peerLinks).toHaveLength(0);
  });
});
