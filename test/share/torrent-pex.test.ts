/**
 * torrent-pex.ts, the node's side of swarm_pex, on its own: with fake links and the debounce
 * timer held, what each peer is told and when. The end-to-end rules (who may meet whom over
 * real links) are in test/e2e/pex-privacy.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Torrent } from 'webtorrent';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.js';
import { encodeKeyText } from '../../src/identity/key-text.js';
import type { LinkNode, PeerLink } from '../../src/net/peer-link.js';
import { acceptHash } from '../../src/share/pex-introductions.js';
import { decodePexMessage, encodePexMessage, type PexMessage } from '../../src/share/swarm-pex.js';
import { TorrentPex, type PexParty } from '../../src/share/torrent-pex.js';

const INFO_HASH = randomBytes(20).toString('hex');
/** A real identity key: random bytes are not always a valid Ed25519 point, and key text checks. */
const newKey = () => Buffer.from(generateSigningKeyPair().publicKey);
const ownKey = newKey();

interface Peer extends PexParty {
  keyText: string;
  heard: PexMessage[];
  /** The extension instance bound to this peer's (fake) wire. */
  extension: { onExtendedHandshake(h: object): void; onMessage(bytes: Uint8Array): void };
}

afterEach(() => vi.useRealTimers());

function setUp() {
  const parties = new Map<string, Peer>();
  const pex = new TorrentPex({
    torrent: { infoHash: INFO_HASH } as Torrent,
    node: { trustedKeys: () => [] } as unknown as LinkNode,
    ownKeyText: encodeKeyText(ownKey),
    listenPort: 7000,
    isAllowed: () => true,
    parties: () => parties,
    isKnown: (keyText) => parties.has(keyText),
    isBusy: () => false,
    dial: () => {},
  });
  const join = (host: string): Peer => {
    const key = newKey();
    const keyText = encodeKeyText(key);
    const peer = { keyText, heard: [] as PexMessage[], link: { remoteKey: key, remoteHost: host, remotePort: 40000 } as unknown as PeerLink } as Peer;
    const wire = { destroyed: false, extended: (_name: string, bytes: Uint8Array) => peer.heard.push(decodePexMessage(bytes)!) };
    const Extension = pex.extensionFor(peer) as new (wire: unknown) => Peer['extension'];
    peer.extension = new Extension(wire);
    parties.set(keyText, peer);
    peer.extension.onExtendedHandshake({ m: { swarm_pex: 1 } });
    return peer;
  };
  /** `peer` says it listens on `port` and accepts introductions to `others`. */
  const announce = (peer: Peer, port: number, others: Peer[]) =>
    peer.extension.onMessage(encodePexMessage({ listen: port, peers: [], accept: others.map((o) => acceptHash(INFO_HASH, ownKey, o.link.remoteKey)) }));
  return { pex, join, announce };
}

describe('swarm_pex at a node: when a newcomer hears whom it may meet', () => {
  it('at once, in answer to its first message, not after the debounce', () => {
    vi.useFakeTimers();
    const { pex, join, announce } = setUp();
    const old = join('10.0.0.2');
    const newcomer = join('10.0.0.3');
    announce(old, 6001, [newcomer]);
    vi.runAllTimers(); // the old peer is settled: its address is known
    const heardBefore = newcomer.heard.length;
    announce(newcomer, 6002, [old]);
    // No timer has run since: the answer came with the newcomer's own message.
    const latest = newcomer.heard.slice(heardBefore);
    expect(latest).toHaveLength(1);
    expect(latest[0]!.peers).toEqual([{ host: '10.0.0.2', port: 6001, key: old.keyText }]);
    // The old peer hears of the newcomer with the debounced round.
    const oldHeard = old.heard.length;
    vi.runAllTimers();
    expect(old.heard.slice(oldHeard).at(-1)!.peers).toEqual([{ host: '10.0.0.3', port: 6002, key: newcomer.keyText }]);
    pex.close();
  });

  it('only peers that accept each other are introduced, even in that first answer', () => {
    vi.useFakeTimers();
    const { pex, join, announce } = setUp();
    const old = join('10.0.0.2');
    const newcomer = join('10.0.0.3');
    announce(old, 6001, []); // accepts nobody
    vi.runAllTimers();
    const heardBefore = newcomer.heard.length;
    announce(newcomer, 6002, [old]);
    expect(newcomer.heard.slice(heardBefore).flatMap((m) => m.peers)).toEqual([]);
    pex.close();
  });
});
