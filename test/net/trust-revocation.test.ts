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
    const aliceNode = new SwarmNode({ identity: alice!, trust: TrustStore.load(home), host: '127.0.0.1', port: 0 });
    const bobNode = new SwarmNode({ identity: bob!, trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
    nodes.push(aliceNode, bobNode);
    const inbound: PeerLink[] = [];
    aliceNode.handle('chat', (link) => void inbound.push(link));
    const { port } = await aliceNode.listen();

    const link = await bobNode.connect('127.0.0.1', port, 'chat');
    const atBob = collect(link.stream);
    expect(inbound).toHaveLength(1);

    const removedAt = Date.now();
    TrustStore.load(home).remove('bob');
    await atBob.closed;
    expect(Date.now() - removedAt).toBeLessThan(3000);
    expect(aliceNode.peerLinks).toHaveLength(0);
    expect(aliceNode.refusalCounts.get('REVOKED')).toBe(1);
    await expect(bobNode.connect('127.0.0.1', port, 'chat')).rejects.toThrow(/not on this node's trust list/);
  });
});
