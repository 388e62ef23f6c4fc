/**
 * Relay hints (docs/protocol.md, "Relay hints"): the HINTS record's codec; a relay keeps
 * the hint set of each registered node (the latest replaces the last, gone with the
 * registration) and closes a register link that sends anything else; a dialler told that
 * an address is a relay for a key calls the key through it, where a plain dial to that
 * address as the key gets silence; and DhtDiscovery looks up relay-hint keys, reports their
 * answers as relays, skips its own relays, and announces the hints it was given.
 */
import { describe, expect, it } from 'vitest';
import { DhtDiscovery } from '../../src/discovery/dht-discovery.js';
import type { DhtNode } from '../../src/discovery/dht-node.js';
import { dhtPresenceRelayKey, dhtShareRelayKey, ownRelayHintKeys } from '../../src/discovery/dht-relay-keys.js';
import { dhtPresenceKey, dhtShareKey, utcDay } from '../../src/discovery/dht-keys.js';
import type { DiscoveredPeer } from '../../src/discovery/lan-discovery.js';
import { hasErrorCode } from '../../src/errors.js';
import { PairSecrets } from '../../src/identity/pair-secret.js';
import { CHAT_CHANNEL, RELAY_REGISTER_CHANNEL } from '../../src/net/channel-name.js';
import { RelayDialer } from '../../src/relay/relay-dialer.js';
import { encodeHints, HintsReader, MAX_HINTS } from '../../src/relay/relay-hints.js';
import { RelayRegistration } from '../../src/relay/relay-registration.js';
import { RelayService } from '../../src/relay/relay-service.js';
import { makeIdentities } from '../helpers/test-identities.js';
import { createNodes, waitFor, type TestNode } from '../helpers/test-nodes.js';

const key = (byte: number) => Buffer.alloc(20, byte);
const hexes = (keys: Uint8Array[]) => keys.map((k) => Buffer.from(k).toString('hex')).sort();

describe('HINTS record', () => {
  it('round-trips, split at every byte', () => {
    const keys = [key(1), key(2), key(3)];
    const record = encodeHints(keys);
    expect(record.length).toBe(2 + 3 * 20);
    for (let cut = 0; cut <= record.length; cut++) {
      const reader = new HintsReader();
      const sets = [...reader.push(record.subarray(0, cut)).sets, ...reader.push(record.subarray(cut)).sets];
      expect(sets).toHaveLength(1);
      expect(hexes(sets[0]!)).toEqual(hexes(keys));
    }
  });

  it('keeps at most MAX_HINTS keys and refuses a record claiming more, or of another type', () => {
    const many = Array.from({ length: MAX_HINTS + 5 }, (_, i) => key(i));
    expect(new HintsReader().push(encodeHints(many)).sets[0]).toHaveLength(MAX_HINTS);
    expect(new HintsReader().push(Buffer.from([0x02, MAX_HINTS + 1])).error).toMatch(/at most 64/);
    expect(new HintsReader().push(Buffer.from([0x01, 0])).error).toMatch(/unknown relay record type 1/);
    expect(() => encodeHints([Buffer.alloc(19)])).toThrow(/20 bytes/);
  });
});

async function relayWorld() {
  const [relay, target, caller] = (await createNodes(3)) as [TestNode, TestNode, TestNode];
  const service = new RelayService(relay.node, relay.trust);
  return { relay, target, caller, service, relayAddress: { host: '127.0.0.1', port: relay.port } };
}

describe('relay hints at the relay', () => {
  it('keeps each registered node\'s latest hint set and drops it with the registration', async () => {
    const w = await relayWorld();
    let hints = [key(0xaa), key(0xbb)];
    const registration = new RelayRegistration(w.target.node, [{ ...w.relayAddress, key: w.relay.identity.publicKey }], () => hints);
    await waitFor(() => w.service.hintKeys().length === 2, 5000, 'first hints');
    expect(hexes(w.service.hintKeys())).toEqual(hexes(hints));
    hints = [key(0xcc)];
    registration.checkHints();
    await waitFor(() => w.service.hintKeys().length === 1, 5000, 'new hints');
    expect(hexes(w.service.hintKeys())).toEqual(hexes([key(0xcc)]));
    registration.close();
    await waitFor(() => w.service.counts().registered === 0, 5000, 'unregistered');
    expect(w.service.hintKeys()).toEqual([]);
  });

  it('a registered node that sends anything but HINTS loses its register link', async () => {
    const w = await relayWorld();
    const link = await w.target.node.connect('127.0.0.1', w.relay.port, RELAY_REGISTER_CHANNEL, { expectedKey: w.relay.identity.publicKey });
    await waitFor(() => w.service.counts().registered === 1, 5000, 'registered');
    const closed = new Promise((resolve) => link.stream.once('close', resolve));
    link.stream.write(Buffer.from([0x07, 0, 0, 0]));
    await closed;
    await waitFor(() => w.service.counts().registered === 0, 5000, 'unregistered');
  });
});

describe('a dialler with a relay hint', () => {
  it('calls the key through the hinted address (relay key not given), where dialling it as the key gets silence', async () => {
    const w = await relayWorld();
    const registration = new RelayRegistration(w.target.node, [{ ...w.relayAddress, key: w.relay.identity.publicKey }]);
    await waitFor(() => w.service.counts().registered === 1, 5000, 'registered');
    const received: unknown[] = [];
    w.target.node.handle('chat', (link) => void received.push(link));
    const dialer = new RelayDialer(w.caller.node, { relays: [], headStartMs: 50 });
    const target = w.target.identity.publicKey;
    const plain = await dialer.connect('127.0.0.1', w.relay.port, CHAT_CHANNEL, { expectedKey: target }).catch((error: unknown) => error);
    expect(hasErrorCode(plain, 'NO_ANSWER', 'HANDSHAKE_TIMEOUT')).toBe(true);
    dialer.addRelayHint(target, w.relayAddress);
    const link = await dialer.connect('127.0.0.1', w.relay.port, CHAT_CHANNEL, { expectedKey: target });
    expect(Buffer.from(link.remoteKey).equals(Buffer.from(target))).toBe(true);
    expect(link.via).toBe(`127.0.0.1:${w.relay.port}`);
    await waitFor(() => received.length === 1);
    link.close();
    registration.close();
  }, 30_000);
});

function recordingNode(answers: Map<string, { host: string; port: number }[]>) {
  const calls: { kind: 'announce' | 'lookup'; key: string }[] = [];
  const node = {
    announce: async (k: Uint8Array) => void calls.push({ kind: 'announce', key: Buffer.from(k).toString('hex') }),
    lookup: async function* (k: Uint8Array) {
      const hex = Buffer.from(k).toString('hex');
      calls.push({ kind: 'lookup', key: hex });
      yield* answers.get(hex) ?? [];
    },
  } as unknown as DhtNode;
  return { node, calls };
}

describe('DhtDiscovery with relay hints', () => {
  it('looks up the share relay key beside the share key and reports its answers as relays, skipping its own relays', async () => {
    const [me, sharer] = makeIdentities(2);
    const infoHash = 'ab'.repeat(20);
    const relayKeyHex = dhtShareRelayKey(infoHash, sharer!.publicKey).toString('hex');
    const { node, calls } = recordingNode(new Map([[relayKeyHex, [{ host: '198.51.100.7', port: 7000 }, { host: '198.51.100.8', port: 7000 }]]]));
    const discovery = new DhtDiscovery({ node, identity: me!, trustedKeys: () => [sharer!.publicKey], listenPort: 7001, wanted: () => [{ infoHash, sharerKey: sharer!.publicKey }], isLookingForRelays: true, isOwnRelay: (host) => host === '198.51.100.8' });
    const peers: DiscoveredPeer[] = [];
    discovery.on('peer', (peer) => peers.push(peer));
    discovery.start();
    await waitFor(() => calls.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.map((c) => c.key).sort()).toEqual([dhtShareKey(infoHash, sharer!.publicKey).toString('hex'), relayKeyHex].sort());
    expect(peers).toHaveLength(1);
    expect(peers[0]).toMatchObject({ via: 'dht', isRelay: true, host: '198.51.100.7', port: 7000, keyText: expect.any(String) });
    expect(Buffer.from(peers[0]!.key).equals(Buffer.from(sharer!.publicKey))).toBe(true);
    await discovery.close();
  });

  it('a relay announces the hints it holds with its own port; a node computes its own hints (own shares, presence)', async () => {
    const [relay, me, friend] = makeIdentities(3);
    const { node, calls } = recordingNode(new Map());
    const hints = [key(1), key(2)];
    const discovery = new DhtDiscovery({ node, identity: relay!, trustedKeys: () => [], listenPort: 7000, relayHints: () => hints });
    discovery.start();
    await waitFor(() => calls.length === 2);
    expect(calls).toEqual(expect.arrayContaining(hints.map((k) => ({ kind: 'announce', key: k.toString('hex') }))));
    expect(discovery.relayHintAnnounceCount).toBe(2);
    await discovery.close();

    const nowMs = Date.UTC(2026, 10, 29, 12);
    const pairs = new PairSecrets(me!.secretKey);
    const own = ownRelayHintKeys({ identity: me!, pairs, nowMs, presenceWith: [friend!.publicKey, me!.publicKey], held: [{ infoHash: 'cd'.repeat(20), sharerKey: me!.publicKey }, { infoHash: 'ef'.repeat(20), sharerKey: friend!.publicKey }] });
    // Only the share it is the sharer of (a --seed holder's share is the sharer's to hint), and no presence with itself.
    expect(hexes(own)).toEqual(hexes([dhtShareRelayKey('cd'.repeat(20), me!.publicKey), dhtPresenceRelayKey(pairs.with(friend!.publicKey)!, utcDay(nowMs))]));
    // A label of its own: neither hint is the key a node announces itself under.
    expect(hexes(own)).not.toContain(dhtShareKey('cd'.repeat(20), me!.publicKey).toString('hex'));
    expect(hexes(own)).not.toContain(dhtPresenceKey(pairs.with(friend!.publicKey)!, utcDay(nowMs)).toString('hex'));
  });
});
