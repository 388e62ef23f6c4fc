/**
 * DhtDiscovery's schedule, over a recording stand-in for the DHT node (the DHT itself is
 * exercised in dht-node.test.ts and the e2e tests): presence keys change at the UTC day and
 * the new one is announced at the next round; a node trusting many keys spends at most
 * MAX_OPERATIONS_PER_MINUTE lookups and announces, taking turns.
 */
import { describe, expect, it } from 'vitest';
import { DhtDiscovery, MAX_OPERATIONS_PER_MINUTE } from '../../src/discovery/dht-discovery.js';
import { dhtPresenceKey, utcDay } from '../../src/discovery/dht-keys.js';
import type { DhtNode } from '../../src/discovery/dht-node.js';
import { PairSecrets } from '../../src/identity/pair-secret.js';
import { makeIdentities } from '../helpers/test-identities.js';

function recordingNode() {
  const calls: { kind: 'announce' | 'lookup'; key: string }[] = [];
  const node = {
    announce: async (key: Uint8Array) => void calls.push({ kind: 'announce', key: Buffer.from(key).toString('hex') }),
    lookup: async function* (key: Uint8Array) {
      calls.push({ kind: 'lookup', key: Buffer.from(key).toString('hex') });
    },
  } as unknown as DhtNode;
  return { node, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('DhtDiscovery schedule', () => {
  it('announces and looks up under the day\'s presence key, and under the next day\'s key once the day changes', async () => {
    const [me, friend] = makeIdentities(2) as [ReturnType<typeof makeIdentities>[0], ReturnType<typeof makeIdentities>[0]];
    const { node, calls } = recordingNode();
    let nowMs = Date.UTC(2026, 10, 29, 23, 59, 30);
    const discovery = new DhtDiscovery({ node, identity: me, trustedKeys: () => [friend.publicKey, me.publicKey], listenPort: 7000, isPresence: true, now: () => nowMs });
    const secret = new PairSecrets(me.secretKey).with(friend.publicKey)!;
    const today = dhtPresenceKey(secret, utcDay(nowMs)).toString('hex');
    const tomorrow = dhtPresenceKey(secret, utcDay(nowMs) + 1).toString('hex');
    discovery.start();
    await settle();
    expect(calls).toEqual(expect.arrayContaining([{ kind: 'lookup', key: today }, { kind: 'announce', key: today }]));
    expect(calls).toHaveLength(2); // our own key gets nothing
    nowMs += 60_000; // past midnight UTC
    discovery.nudge();
    await settle();
    expect(calls.slice(2)).toEqual(expect.arrayContaining([{ kind: 'lookup', key: tomorrow }, { kind: 'announce', key: tomorrow }]));
    nowMs += 60_000; // same day, long before a reannounce is due: a lookup only
    discovery.nudge();
    await settle();
    expect(calls.slice(4)).toEqual([{ kind: 'lookup', key: tomorrow }]);
    await discovery.close();
  });

  it('with 100 trusted keys a round spends at most the per-minute budget, and the next round goes on from there', async () => {
    const [me, ...friends] = makeIdentities(101);
    const { node, calls } = recordingNode();
    let nowMs = Date.UTC(2026, 10, 29, 12);
    const discovery = new DhtDiscovery({ node, identity: me!, trustedKeys: () => friends.map((f) => f.publicKey), listenPort: 7000, isPresence: true, now: () => nowMs });
    discovery.start();
    await settle();
    expect(calls).toHaveLength(MAX_OPERATIONS_PER_MINUTE);
    discovery.nudge(); // no time has passed: no budget left
    await settle();
    expect(calls).toHaveLength(MAX_OPERATIONS_PER_MINUTE);
    nowMs += 60_000;
    discovery.nudge();
    await settle();
    expect(calls).toHaveLength(2 * MAX_OPERATIONS_PER_MINUTE);
    // Turns: the second minute covered keys the first did not.
    const lookedUp = new Set(calls.filter((c) => c.kind === 'lookup').map((c) => c.key));
    expect(lookedUp.size).toBe(calls.filter((c) => c.kind === 'lookup').length);
    await discovery.close();
  });
});
