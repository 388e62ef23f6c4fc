// A link whose peer goes away while our write waits for the socket to drain must
// still close: otherwise it counts against the per-peer cap forever, and chat and
// torrent code never learn that the peer left.
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { makeIdentities } from '../helpers/test-identities.js';

const nodes: SwarmNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('closing a link with a write waiting for drain', () => {
  it('closes within seconds when the remote disappears', async () => {
    const [alice, bob] = makeIdentities(2);
    const aliceNode = new SwarmNode({ identity: alice!, trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
    const bobNode = new SwarmNode({ identity: bob!, trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
    nodes.push(aliceNode, bobNode);
    let atBob: PeerLink | undefined;
    bobNode.handle('chat', (link) => {
      atBob = link;
      link.stream.pause(); // never reads: alice's writes back up
    });
    const { port } = await bobNode.listen();
    const link = await aliceNode.connect('127.0.0.1', port, 'chat');
    let isClosed = false;
    link.stream.on('close', () => (isClosed = true));
    link.stream.on('error', () => {});

    const chunk = Buffer.alloc(64 * 1024, 1);
    let isBackedUp = false;
    for (let round = 0; round < 40 && !isBackedUp; round++) {
      for (let writes = 0; writes < 64 && link.stream.write(chunk); writes++);
      const drained = await Promise.race([
        new Promise((resolve) => link.stream.once('drain', () => resolve(true))),
        sleep(300).then(() => false),
      ]);
      isBackedUp = !drained;
    }
    expect(isBackedUp).toBe(true);

    atBob!.close(); // the remote goes away, as a killed process would
    const deadline = Date.now() + 5000;
    while (!isClosed && Date.now() < deadline) await sleep(50);
    expect(isClosed).toBe(true);
    expect(aliceNode.peerLinks).toHaveLength(0);
  });
});
