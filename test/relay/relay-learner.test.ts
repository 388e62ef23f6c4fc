/**
 * RelayLearner with real nodes on 127.0.0.1: it asks nothing until activated (the node may
 * turn out reachable); then it learns exactly the trusted peers that offer to relay (a
 * RelayService on their node), at most MAX_LEARNED_RELAYS of them, asking each once; a peer
 * without one refuses and is not learned.
 */
import { describe, expect, it } from 'vitest';
import { MAX_LEARNED_RELAYS, RelayLearner } from '../../src/relay/relay-learner.js';
import { RelayService } from '../../src/relay/relay-service.js';
import { createNodes, waitFor, type TestNode } from '../helpers/test-nodes.js';

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

describe('relays learned from trusted peers', () => {
  it('learns only peers that offer to relay, at most MAX_LEARNED_RELAYS, and only once activated', async () => {
    const [me, plain, ...offering] = (await createNodes(5)) as TestNode[];
    const services = offering.map((peer) => new RelayService(peer.node, peer.trust));
    const learner = new RelayLearner(me!.node, (key) => me!.trust.allows(key));
    const learned: string[] = [];
    learner.on('learned', (relay) => learned.push(`${relay.host}:${relay.port}`));
    for (const peer of [plain!, ...offering]) learner.consider(peer.identity.publicKey, '127.0.0.1', peer.port);
    await settle();
    expect(learned).toEqual([]); // not activated: nobody asked
    expect(services.every((s) => s.counts().registered === 0)).toBe(true);
    learner.activate();
    await waitFor(() => learned.length === MAX_LEARNED_RELAYS, 10_000, 'learned relays');
    await settle();
    expect(learned).toHaveLength(MAX_LEARNED_RELAYS);
    expect(learned).not.toContain(`127.0.0.1:${plain!.port}`);
    // The plain peer was asked and refused: its node reported a refusal of the relay channel.
    expect(plain!.refusals.length + me!.refusals.length).toBeGreaterThan(0);
    learner.consider(offering[0]!.identity.publicKey, '127.0.0.1', offering[0]!.port);
    await settle();
    expect(learned).toHaveLength(MAX_LEARNED_RELAYS);
    learner.close();
  }, 30_000);

  it('a key the node does not trust is never learned, even when it offers to relay', async () => {
    const [me, offering] = (await createNodes(2)) as TestNode[];
    new RelayService(offering!.node, offering!.trust);
    const learner = new RelayLearner(me!.node, () => false);
    const learned: unknown[] = [];
    learner.on('learned', (relay) => learned.push(relay));
    learner.activate();
    learner.consider(offering!.identity.publicKey, '127.0.0.1', offering!.port);
    await settle(1000);
    expect(learned).toEqual([]);
    learner.close();
  }, 30_000);
});
