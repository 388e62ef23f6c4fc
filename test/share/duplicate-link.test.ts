/**
 * A second torrent link from a key that already has one, over real SwarmNodes and a real
 * share: the sharer keeps the older link when it answers a probe (a peer racing two dials,
 * or dialling in a loop, cannot make links flap) and replaces it when it is dead (a peer
 * whose path died and who came back, here through a relay that went silent); two nodes
 * dialling each other at once still end with exactly one link.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { torrentChannel } from '../../src/net/channel-name.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { startShare } from '../../src/share/share-session.js';
import type { TorrentPeers } from '../../src/share/torrent-peers.js';
import { startBlackholeRelay } from '../helpers/blackhole-relay.js';
import { tempDir } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/test-nodes.js';
import { makeNode, onTeardown } from './share-node-fixture.js';

/** A node sharing `source` (default: a new random file). */
async function sharing(source?: string) {
  const node = await makeNode();
  if (source === undefined) {
    source = join(tempDir(), 'data.bin');
    writeFileSync(source, randomBytes(256 * 1024));
  }
  const session = await startShare({
    node: node.node, router: node.router, ownKeyText: node.keyText, advertisedAddresses: [{ host: node.host, port: node.port }],
    listenPort: node.port, path: source, isAllowed: () => true,
  });
  onTeardown(() => session.close());
  const refusals: string[] = [];
  const connected: string[] = [];
  session.on('peer-refused', (event: { reason: string }) => refusals.push(event.reason));
  session.on('peer-connected', (event: { key: string }) => connected.push(event.key));
  const peers = (session as unknown as { peers: TorrentPeers }).peers;
  return { node, session, peers, refusals, connected, channel: torrentChannel(session.infoHash) };
}

const isOpen = (link: PeerLink) => !link.stream.destroyed;
const closed = (link: PeerLink) => new Promise<void>((resolve) => (link.stream.destroyed ? resolve() : link.stream.once('close', () => resolve())));

describe('a second link from the same key', () => {
  it('is closed when the older link answers its probe; the older one stays', async () => {
    const sharer = await sharing();
    const peer = await makeNode();
    const first = await peer.node.connect(sharer.node.host, sharer.node.port, sharer.channel);
    await waitFor(() => sharer.connected.length === 1, 5000, 'first link attached');
    const second = await peer.node.connect(sharer.node.host, sharer.node.port, sharer.channel);
    await closed(second);
    expect(sharer.refusals).toEqual(['duplicate connection (the older link is alive)']);
    expect(isOpen(first)).toBe(true);
    expect(sharer.connected).toHaveLength(1);
  }, 20_000);

  it('a peer dialling in a loop gets one probe at a time; the others are refused outright', async () => {
    const sharer = await sharing();
    const peer = await makeNode();
    const first = await peer.node.connect(sharer.node.host, sharer.node.port, sharer.channel);
    await waitFor(() => sharer.connected.length === 1, 5000, 'first link attached');
    const more = await Promise.allSettled(Array.from({ length: 6 }, () => peer.node.connect(sharer.node.host, sharer.node.port, sharer.channel)));
    const accepted = more.filter((r): r is PromiseFulfilledResult<PeerLink> => r.status === 'fulfilled').map((r) => r.value);
    const refused = more.filter((r) => r.status === 'rejected');
    expect(accepted).toHaveLength(1);
    expect(sharer.refusals.filter((reason) => reason === 'duplicate connection')).toHaveLength(5);
    // (The reason the peer reads is still the generic "not available here": refusal wording is another change.)
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'REFUSED_BY_PEER' });
    expect(refused).toHaveLength(5);
    await closed(accepted[0]!);
    expect(isOpen(first)).toBe(true);
  }, 20_000);

  it('replaces an older link that is dead (its path went silent)', async () => {
    const sharer = await sharing();
    const peer = await makeNode();
    const relay = await startBlackholeRelay({ host: sharer.node.host, port: sharer.node.port }, { sourceAddress: '127.0.0.2' });
    const old = await peer.node.connect(relay.host, relay.port, sharer.channel);
    await waitFor(() => sharer.connected.length === 1, 5000, 'first link attached');
    relay.blackhole();
    old.close(); // the peer gave up on it; the sharer cannot know (nothing reaches it)
    const fresh = await peer.node.connect(sharer.node.host, sharer.node.port, sharer.channel);
    await waitFor(() => sharer.connected.length === 2, 10_000, 'the new link attached');
    expect(sharer.refusals).toEqual([]);
    expect(isOpen(fresh)).toBe(true);
    const atSharer = sharer.node.node.peerLinks;
    expect(atSharer.map((link) => link.remoteHost)).toEqual(['127.0.0.1']);
  }, 20_000);

  it('two nodes that dial each other at once end with one link between them, the same at both ends', async () => {
    const source = join(tempDir(), 'shared-by-two.bin');
    writeFileSync(source, randomBytes(256 * 1024));
    const [a, b] = [await sharing(source), await sharing(source)];
    expect(a.session.infoHash).toBe(b.session.infoHash);
    a.peers.dial({ host: b.node.host, port: b.node.port }, b.node.keyText);
    b.peers.dial({ host: a.node.host, port: a.node.port }, a.node.keyText);
    const torrentLinks = (x: typeof a) => x.node.node.peerLinks.filter((link) => link.channel === x.channel);
    await waitFor(() => a.peers.connectedCount === 1 && b.peers.connectedCount === 1 && torrentLinks(a).length === 1 && torrentLinks(b).length === 1, 10_000, 'one link each');
    // Give a late probe or refusal time to break it (it must not).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Each torrent keeps exactly one peer, and so does each node: the losing dial is closed at
    // both ends (the larger key's node used to keep its own losing outgoing link listed: the
    // peer's end frame had arrived before the dialler refused it, and close() then did nothing).
    const [atA, atB] = [torrentLinks(a), torrentLinks(b)];
    expect([atA.length, atB.length, a.peers.connectedCount, b.peers.connectedCount]).toEqual([1, 1, 1, 1]);
    expect([a.node.node.peerLinks.length, b.node.node.peerLinks.length]).toEqual([1, 1]);
    // One TCP connection seen from both ends: initiator at one, responder at the other, the smaller key's dial.
    expect(atA[0]!.isInitiator).toBe(!atB[0]!.isInitiator);
    expect(atA[0]!.isInitiator).toBe(a.node.keyText < b.node.keyText);
  }, 45_000);
});
