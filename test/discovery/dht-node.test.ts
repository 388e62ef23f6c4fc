/**
 * DhtNode and DhtDiscovery in-process, on real UDP sockets on loopback: the small API
 * (announce(key20, port), lookup(key20)) works across a private DHT; the routing table
 * saved under SWARM_HOME is what a restart starts from when its bootstrap is gone; and a
 * hostile DHT node answering with thousands of addresses gets at most MAX_PEERS_PER_LOOKUP
 * of them through, none in a private space the node is not in.
 */
import DHT from 'bittorrent-dht';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DhtNode, MAX_PEERS_PER_LOOKUP } from '../../src/discovery/dht-node.js';
import { DhtDiscovery } from '../../src/discovery/dht-discovery.js';
import { dhtShareKey } from '../../src/discovery/dht-keys.js';
import { loadDhtNodes } from '../../src/discovery/dht-routing-file.js';
import { scopeOf } from '../../src/discovery/dht-address-scope.js';
import type { DhtConfig } from '../../src/discovery/dht-config.js';
import { startPrivateDht, type PrivateDht } from '../helpers/private-dht.js';
import { makeIdentities } from '../helpers/test-identities.js';
import { tempDir } from '../helpers/temp-home.js';

let dht: PrivateDht;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  dht = await startPrivateDht({ count: 20, subnet: '127.0.42' });
}, 60_000);
afterAll(async () => {
  await Promise.all(open.splice(0).map((node) => node.close()));
  await dht?.stop();
});

const configOf = (nodes: { host: string; port: number }[]): DhtConfig => ({ bootstrap: nodes.map(({ host, port }) => ({ host, port })), isPublic: false });

async function startNode(config: DhtConfig, listenHost: string, home?: string): Promise<DhtNode> {
  const node = await DhtNode.start({ config, listenHost, home });
  open.push(node);
  return node;
}

async function collect(iterable: AsyncIterable<{ host: string; port: number }>): Promise<{ host: string; port: number }[]> {
  const out: { host: string; port: number }[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function listen(node: DHT, host: string): Promise<void> {
  return new Promise((resolve) => node.listen(0, host, () => resolve()));
}

describe('DhtNode', () => {
  it('announce(key, port) on one node is found by lookup(key) on another, with the announcer\'s host', async () => {
    const a = await startNode(configOf(dht.nodes.slice(0, 2)), '127.0.0.20');
    const b = await startNode(configOf(dht.nodes.slice(2, 4)), '127.0.0.21');
    const key = Buffer.alloc(20, 0x5a);
    await a.announce(key, 4242);
    expect(await collect(b.lookup(key, 10_000))).toContainEqual({ host: '127.0.0.20', port: 4242 });
    expect(await collect(b.lookup(Buffer.alloc(20, 0x5b), 10_000))).toEqual([]);
    expect(() => a.announce(Buffer.alloc(32), 1)).toThrow(RangeError);
  }, 60_000);

  it('a restart whose bootstrap is gone starts from the saved routing table (and a fresh home cannot)', async () => {
    // The only bootstrap is a node of our own that we then stop.
    const gateway = new DHT({ bootstrap: dht.nodes.slice(0, 2).map(({ host, port }) => ({ host, port })) });
    await listen(gateway, '127.0.42.250');
    await new Promise((resolve) => (gateway.ready ? resolve(undefined) : gateway.once('ready', resolve)));
    const config = configOf([{ host: '127.0.42.250', port: gateway.address().port }]);
    const home = tempDir();
    const first = await startNode(config, '127.0.0.23', home);
    await collect(first.lookup(Buffer.alloc(20, 1), 10_000)); // a walk fills the table
    const announcer = await startNode(configOf(dht.nodes.slice(4, 6)), '127.0.0.24');
    const key = Buffer.alloc(20, 0x77);
    await announcer.announce(key, 5151);
    await first.close();
    const saved = loadDhtNodes(home, '127.0.42.250:' + gateway.address().port);
    expect(saved.length).toBeGreaterThanOrEqual(10);
    await new Promise<void>((resolve) => gateway.destroy(() => resolve()));

    const restarted = await startNode(config, '127.0.0.23', home);
    expect(restarted.nodeCount).toBeGreaterThanOrEqual(10);
    expect(await collect(restarted.lookup(key, 10_000))).toContainEqual({ host: '127.0.0.24', port: 5151 });
    const cold = await startNode(config, '127.0.0.25', tempDir());
    expect(await collect(cold.lookup(key, 5_000))).toEqual([]);
  }, 90_000);
});

describe('a hostile DHT node answering with thousands of addresses', () => {
  it('gets at most MAX_PEERS_PER_LOOKUP through, none outside the spaces this node is in', async () => {
    const hostile = new DHT({ bootstrap: false, maxPeers: 10_000 });
    await listen(hostile, '127.0.42.251');
    const [alice, bob] = makeIdentities(2) as [ReturnType<typeof makeIdentities>[0], ReturnType<typeof makeIdentities>[0]];
    const infoHash = 'cd'.repeat(20);
    const key = dhtShareKey(infoHash, alice.publicKey);
    // 4000 addresses: private, link-local, multicast, loopback and public ones.
    const prefixes = ['10.0', '192.168', '169.254', '224.0', '127.0', '8.8'];
    for (let i = 0; i < 4000; i++) {
      const host = `${prefixes[i % prefixes.length]}.${(i >> 8) & 255}.${(i & 255) || 1}`;
      (hostile as unknown as { _addPeer(peer: object, key: Buffer): void })._addPeer({ host, port: 1000 + (i % 60000) }, key);
    }
    const victim = await startNode(configOf([{ host: '127.0.42.251', port: hostile.address().port }]), '127.0.0.26');
    const found = await collect(victim.lookup(key, 10_000));
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThanOrEqual(MAX_PEERS_PER_LOOKUP);
    expect(found.every((a) => ['loopback', 'public'].includes(scopeOf(a.host)))).toBe(true);

    const discovery = new DhtDiscovery({ node: victim, identity: bob, trustedKeys: () => [alice.publicKey], listenPort: 9, wanted: () => [{ infoHash, sharerKey: alice.publicKey }] });
    open.push(discovery);
    const emitted: string[] = [];
    discovery.on('peer', (peer) => emitted.push(peer.host));
    discovery.start();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(emitted.length).toBeGreaterThan(0);
    // One round, one lookup: bounded by the lookup cap, and the dial rate's burst.
    expect(emitted.length).toBeLessThanOrEqual(16);
    expect(emitted.every((host) => ['loopback', 'public'].includes(scopeOf(host)))).toBe(true);
    await new Promise<void>((resolve) => hostile.destroy(() => resolve()));
  }, 60_000);
});
