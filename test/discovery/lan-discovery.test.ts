// LanDiscovery over real UDP multicast on loopback (interface 127.0.0.1, multicast loop on):
// trusted pairs find each other, one-way trust and strangers find nothing, floods are bounded.
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { sha1 } from '../../src/crypto/hash.js';
import { encodeBeacon } from '../../src/discovery/beacon-codec.js';
import { LanDiscovery, type DiscoveredPeer, type ShareRef } from '../../src/discovery/lan-discovery.js';
import { lanConfig } from '../../src/discovery/lan-config.js';
import { createIdentity, type Identity } from '../../src/identity/identity.js';

// A port of this file's own, so test files running at once do not hear each other.
const config = lanConfig({ SWARM_LAN_PORT: String(30000 + (process.pid % 20000)), SWARM_LAN_INTERFACE: '127.0.0.1' }, {})!;
const running: LanDiscovery[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.close()));
});

interface NodeSpec {
  identity: Identity;
  trusts: Identity[];
  listenPort: number;
  listenHost?: string;
  held?: ShareRef[];
  wanted?: ShareRef[];
}

async function startNode(spec: NodeSpec): Promise<{ node: LanDiscovery; heard: DiscoveredPeer[] }> {
  const node = new LanDiscovery({
    identity: spec.identity,
    trustedKeys: () => spec.trusts.map((t) => t.publicKey),
    listenPort: spec.listenPort,
    listenHost: spec.listenHost,
    config,
    held: () => spec.held ?? [],
    wanted: () => spec.wanted ?? [],
    intervalMs: 300,
  });
  const heard: DiscoveredPeer[] = [];
  node.on('peer', (peer) => heard.push(peer));
  running.push(node);
  await node.start();
  return { node, heard };
}

const waitFor = async (check: () => boolean, timeoutMs = 5000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('LAN discovery on loopback multicast', () => {
  it('two nodes that trust each other find each other, with the source address and announced port', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const a = await startNode({ identity: alice, trusts: [bob], listenPort: 7101, listenHost: '127.0.0.2' });
    const b = await startNode({ identity: bob, trusts: [alice], listenPort: 7102, listenHost: '127.0.0.3' });
    await waitFor(() => a.heard.length > 0 && b.heard.length > 0);
    expect(a.heard[0]).toMatchObject({ keyText: bob.keyText, host: '127.0.0.3', port: 7102 });
    expect(b.heard[0]).toMatchObject({ keyText: alice.keyText, host: '127.0.0.2', port: 7101 });
  });

  it('a node started later hears the earlier one at once (its query is answered, not left for the next beacon)', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const early = new LanDiscovery({ identity: alice, trustedKeys: () => [bob.publicKey], listenPort: 7103, config, intervalMs: 60_000 });
    running.push(early);
    await early.start();
    const late = await startNode({ identity: bob, trusts: [alice], listenPort: 7104 });
    await waitFor(() => late.heard.some((p) => p.keyText === alice.keyText), 2000);
  });

  it('one-way trust and strangers recognise nothing, and get no reply', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const stranger = createIdentity();
    // The stranger knows alice's public key and lists it; alice does not trust the stranger.
    const s = await startNode({ identity: stranger, trusts: [alice], listenPort: 7105 });
    const a = await startNode({ identity: alice, trusts: [bob], listenPort: 7106 });
    const b = await startNode({ identity: bob, trusts: [alice], listenPort: 7107 });
    await waitFor(() => b.heard.length > 0 && a.heard.length > 0);
    await new Promise((r) => setTimeout(r, 800)); // several beacon rounds
    expect(s.heard).toEqual([]);
    expect(a.heard.every((p) => p.keyText === bob.keyText)).toBe(true);
    expect(b.heard.every((p) => p.keyText === alice.keyText)).toBe(true);
  });

  it('share tags tell a holder of the magnet which peer has the share', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const infoHash = sha1(Buffer.from('a share')).toString('hex');
    const other = sha1(Buffer.from('another share')).toString('hex');
    await startNode({ identity: alice, trusts: [bob], listenPort: 7108, held: [{ infoHash, sharerKey: alice.publicKey }] });
    const b = await startNode({ identity: bob, trusts: [alice], listenPort: 7109, wanted: [{ infoHash, sharerKey: alice.publicKey }, { infoHash: other, sharerKey: alice.publicKey }] });
    await waitFor(() => b.heard.length > 0);
    expect(b.heard[0]!.infoHashes).toEqual([infoHash]);
  });

  it('a flood of junk and of beacons from unknown keys gives no event and no reply, and is looked at at a bounded rate', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const a = await startNode({ identity: alice, trusts: [bob], listenPort: 7110 });
    await new Promise((r) => setTimeout(r, 100));
    const sentBefore = a.node.sentCount;
    const attacker = createSocket('udp4');
    await new Promise<void>((resolve) => attacker.bind(0, '127.0.0.9', () => resolve()));
    let answers = 0;
    attacker.on('message', () => answers++);
    const floodCount = 2000;
    const startedMs = Date.now();
    for (let i = 0; i < floodCount; i++) {
      const bytes = i % 2 === 0
        ? encodeBeacon({ isQuery: true, port: 9000, timeS: Math.floor(Date.now() / 1000), pairSecrets: [{ secret: Buffer.alloc(32, i & 0xff), direction: Uint8Array.of(i & 1) }], shareKeys: [] })
        : Buffer.alloc(100, i & 0xff);
      attacker.send(bytes, config.udpPort, '127.0.0.1');
      // In batches, so the kernel's socket buffer (not the node) is not what drops them.
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 500));
    attacker.close();
    const elapsedS = (Date.now() - startedMs) / 1000;
    expect(a.heard).toEqual([]);
    expect(answers).toBe(0);
    // Only its own timer beacons went out meanwhile (interval 300 ms ±20%: one per 240 ms at most).
    expect(a.node.sentCount - sentBefore).toBeLessThanOrEqual(Math.ceil(elapsedS / 0.24) + 1);
    // Looked at: at most the burst (100) plus 50 a second; the rest dropped unread.
    expect(a.node.receivedCount).toBeLessThanOrEqual(100 + Math.ceil(50 * elapsedS) + 1);
    expect(a.node.droppedCount).toBeGreaterThan(0);
  });
});
