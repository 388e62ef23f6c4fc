// A link's stream emits 'error' only when someone listens (net/peer-link.ts). A write that
// waits for drain when the peer goes away must not turn into an unheard 'error' either:
// that would be an uncaught exception, and a hostile peer could crash any process that
// wrote to it without an error listener.
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { makeIdentities } from '../helpers/test-identities.js';

const nodes: SwarmNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a link with no error listener', () => {
  it('closes quietly when the peer goes away under a waiting write', async () => {
    const [alice, bob] = makeIdentities(2);
    const aliceNode = new SwarmNode({ identity: alice!, trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
    const bobNode = new SwarmNode({ identity: bob!, trust: { allows: () => true }, host: '127.0.0.1', port: 0 });
    nodes.push(aliceNode, bobNode);
    let atBob: PeerLink | undefined;
    bobNode.handle('chat', (link) => {
      atBob = link;
      link.stream.pause();
    });
    const { port } = await bobNode.listen();
    const link = await aliceNode.connect('127.0.0.1', port, 'chat');
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const closed = new Promise<void>((resolve) => link.stream.once('close', () => resolve()));
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
      atBob!.close();
      const isClosed = await Promise.race([closed.then(() => true), sleep(5000).then(() => false)]);
      expect(uncaught).toEqual([]);
      expect(isClosed).toBe(true);
      // Writes after the close fail quietly too.
      link.stream.write(chunk);
      await sleep(100);
      expect(link.stream.listenerCount('error')).toBe(0);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
