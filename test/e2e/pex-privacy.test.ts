// swarm_pex against hostile trusted peers, with the real CLI as sharer and getters and a
// hand-written in-process peer (real secure channel, bare BitTorrent wire) as the attacker.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, createIdentity, type Identity } from '../../src/identity/identity.js';
import { decodeKeyText } from '../../src/identity/key-text.js';
import { TrustStore } from '../../src/identity/trust-store.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { PEX_DIAL_BURST, PEX_DIALS_PER_SECOND } from '../../src/share/pex-dial-gate.js';
import { acceptList } from '../../src/share/pex-introductions.js';
import { parseMagnetLink } from '../../src/share/magnet-link.js';
import { connectPexWirePeer } from '../helpers/pex-wire-peer.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, startGetter, startSharer } from '../share/cli-peers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function inProcessNode(identity: Identity, trust: { allows(key: Uint8Array): boolean }): SwarmNode {
  const node = new SwarmNode({ identity, trust, host: '127.0.0.1', port: 0 });
  cleanups.push(() => node.close());
  return node;
}

const waitUntil = async (condition: () => boolean, timeoutMs: number) => {
  const started = Date.now();
  while (!condition() && Date.now() - started < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
};

describe('swarm_pex introductions', () => {
  it('a getter never learns the address or key of a getter that does not trust it, even claiming to trust that getter', async () => {
    // s trusts everyone; g2 trusts only s; g3 trusts s and g1 (the positive control).
    const trusts = (a: string, b: string) => a === 's' || a === 'g1' || b === 's' || (a === 'g3' && b === 'g1');
    const [s, g1, g2, g3] = makeUsers(['s', 'g1', 'g2', 'g3'], trusts);
    const dir = tempDir();
    const source = join(dir, 'file.bin');
    writeFileSync(source, randomBytes(2 * 1024 * 1024));
    const { magnet, port } = await startSharer(s!, source, ['--upload-limit', '256k']);
    const getters = [g2!, g3!].map((user) => startGetter(user, magnet, join(dir, user.name), ['--seed']));
    const { infoHash } = parseMagnetLink(magnet);
    // The curious getter g1: trusted by s; tells s it accepts g2 and g3 (it knows their keys).
    const g1Node = inProcessNode(loadOrCreateIdentity(g1!.home), TrustStore.load(g1!.home));
    await Promise.all(getters.map((getter) => getter.waitForEvent((e) => e.event === 'metadata' || e.event === 'progress', 30_000, 'getter started')));
    const sKey = decodeKeyText(s!.key);
    const peer = await connectPexWirePeer(g1Node, '127.0.0.1', port, infoHash, sKey);
    const send = await peer.ready;
    send({ listen: null, peers: [], accept: acceptList(infoHash, sKey, [decodeKeyText(g2!.key), decodeKeyText(g3!.key)]) });
    const sawG3 = await waitUntil(() => peer.received.some((text) => text.includes(g3!.key)), 20_000);
    expect(sawG3).toBe(true); // the observer works: a peer that trusts g1 is introduced
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(peer.received.join('\n')).not.toContain(g2!.key);
    peer.close();
  }, 60_000);
});

describe('swarm_pex from a hostile trusted peer', () => {
  it('500 addresses, untrusted keys and non-dialable addresses: only the trusted key is dialled, one address at a time, rate-limited', async () => {
    const [victim, hostile] = makeUsers(['victim', 'hostile']);
    // A third key the victim trusts, sorting after the victim's (only the smaller key dials).
    let friend: Identity;
    do friend = createIdentity();
    while (friend.keyText < victim!.key);
    TrustStore.load(victim!.home).add(friend.keyText, 'friend');
    const strangers = Array.from({ length: 8 }, () => {
      let stranger: Identity;
      do stranger = createIdentity();
      while (stranger.keyText < victim!.key);
      return stranger;
    });
    // Canary listeners on loopback: any connection to one is a dial by the victim.
    const contacted = new Set<number>();
    const canary = async (): Promise<number> => {
      const server: Server = createServer((socket) => {
        contacted.add((server.address() as { port: number }).port);
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => server.close());
      return (server.address() as { port: number }).port;
    };
    const friendPorts = await Promise.all(Array.from({ length: 64 }, canary));
    const strangerPorts = await Promise.all(strangers.map(canary));

    const dir = tempDir();
    const source = join(dir, 'file.bin');
    writeFileSync(source, randomBytes(64 * 1024));
    const { magnet, port } = await startSharer(victim!, source);
    const { infoHash } = parseMagnetLink(magnet);
    const hostileNode = inProcessNode(loadOrCreateIdentity(hostile!.home), TrustStore.load(hostile!.home));
    const peer = await connectPexWirePeer(hostileNode, '127.0.0.1', port, infoHash, decodeKeyText(victim!.key));
    const send = await peer.ready;
    const started = Date.now();
    const junk = ['0.0.0.0', '224.0.0.1', '255.255.255.255', 'ff02::1'].map((host) => ({ host, port: friendPorts[0]!, key: friend.keyText }));
    // 8 messages x 64 entries = 512 addresses for the friend's key, plus strangers and junk.
    for (let round = 0; round < 8; round++) {
      const forFriend = friendPorts.slice(0, 56).map((p, i) => ({ host: '127.0.0.1', port: friendPorts[(i + round * 7) % 64] ?? p, key: friend.keyText }));
      const forStrangers = strangers.map((stranger, i) => ({ host: '127.0.0.1', port: strangerPorts[i]!, key: stranger.keyText }));
      send({ listen: null, peers: [...forStrangers, ...junk, ...forFriend].slice(0, 64) });
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const elapsedSeconds = (Date.now() - started) / 1000;
    expect(strangerPorts.filter((p) => contacted.has(p))).toEqual([]);
    const friendContacted = friendPorts.filter((p) => contacted.has(p)).length;
    expect(friendContacted).toBeGreaterThan(0); // the victim does dial the trusted key
    // Old code dialled every one of the 64 addresses at once.
    expect(friendContacted).toBeLessThanOrEqual(PEX_DIAL_BURST + Math.ceil(PEX_DIALS_PER_SECOND * elapsedSeconds));
    peer.close();
  }, 60_000);
});
