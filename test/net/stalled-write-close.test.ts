// A link whose peer goes away while our write waits for the socket to drain must
// still close: otherwise it counts against the per-peer cap forever, and chat and
// torrent code never learn that the peer left. And it must close quietly when nobody
// listens for 'error' (net/peer-link.ts promises 'error' only to listeners): an unheard
// 'error' is an uncaught exception, so a peer that goes away could crash the process.
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { makeIdentities } from '../helpers/test-identities.js';

const nodes: SwarmNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CHUNK = Buffer.alloc(64 * 1024, 1);

/** A link from alice to bob whose writes wait for drain (bob never reads), and bob's end of it. */
async function backedUpLink(options: { hasErrorListener: boolean }): Promise<{ link: PeerLink; atBob: PeerLink; aliceNode: SwarmNode }> {
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
  const link = await aliceNode.connect('127.0.0.1', port, 'chat', { expectedKey: bob!.publicKey });
  if (options.hasErrorListener) link.stream.on('error', () => {});
  let isBackedUp = false;
  for (let round = 0; round < 40 && !isBackedUp; round++) {
    for (let writes = 0; writes < 64 && link.stream.write(CHUNK); writes++);
    const drained = await Promise.race([
      new Promise((resolve) => link.stream.once('drain', () => resolve(true))),
      sleep(300).then(() => false),
    ]);
    isBackedUp = !drained;
  }
  expect(isBackedUp).toBe(true);
  return { link, atBob: atBob!, aliceNode };
}

function closeOf(link: PeerLink): Promise<boolean> {
  const closed = new Promise<boolean>((resolve) => link.stream.once('close', () => resolve(true)));
  return Promise.race([closed, sleep(5000).then(() => false)]);
}

describe('closing a link with a write waiting for drain', () => {
  it('closes within seconds when the remote disappears', async () => {
    const { link, atBob, aliceNode } = await backedUpLink({ hasErrorListener: true });
    const isClosed = closeOf(link);
    atBob.close(); // the remote goes away, as a killed process would
    expect(await isClosed).toBe(true);
    expect(aliceNode.peerLinks).toHaveLength(0);
  });

  it('closes quietly, with no uncaught error, when nobody listens for errors', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const { link, atBob } = await backedUpLink({ hasErrorListener: false });
      const isClosed = closeOf(link);
      atBob.close();
      expect(await isClosed).toBe(true);
      link.stream.write(CHUNK); // a write after the close fails quietly too
      await sleep(100);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
