import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.js';
import { isDialableFrom, PexDialGate, scopeOf } from '../../src/share/pex-dial-gate.js';
import { acceptHash, acceptList, MAX_ACCEPT_HASHES, mayIntroduce } from '../../src/share/pex-introductions.js';
import { decodePexMessage, encodePexMessage } from '../../src/share/swarm-pex.js';

const infoHash = 'ab'.repeat(20);
const key = () => generateSigningKeyPair().publicKey;

describe('who is introduced to whom', () => {
  const node = key();
  const [a, b, c] = [key(), key(), key()];
  const accepting = (...keys: Uint8Array[]) => new Set(acceptList(infoHash, node, keys));

  it('only when each accepts the other', () => {
    expect(mayIntroduce(infoHash, node, { key: a, accept: accepting(b) }, { key: b, accept: accepting(a) })).toBe(true);
    // b trusts a, but a never said it trusts b: a's address stays with the node.
    expect(mayIntroduce(infoHash, node, { key: a, accept: accepting(c) }, { key: b, accept: accepting(a) })).toBe(false);
    expect(mayIntroduce(infoHash, node, { key: a, accept: accepting(b) }, { key: b, accept: accepting(c) })).toBe(false);
    // Said nothing (an older peer, or a curious one): accepts nobody and is introduced to nobody.
    expect(mayIntroduce(infoHash, node, { key: a }, { key: b, accept: accepting(a) })).toBe(false);
    expect(mayIntroduce(infoHash, node, { key: a, accept: accepting(b) }, { key: b })).toBe(false);
  });

  it('hashes are salted with the receiving node and the torrent, and the list is capped', () => {
    expect(acceptHash(infoHash, node, a)).not.toBe(acceptHash(infoHash, key(), a));
    expect(acceptHash(infoHash, node, a)).not.toBe(acceptHash('cd'.repeat(20), node, a));
    expect(acceptHash(infoHash, node, a)).toMatch(/^[0-9a-f]{16}$/);
    // A list sent to one node says nothing to another node.
    expect(mayIntroduce(infoHash, key(), { key: a, accept: accepting(b) }, { key: b, accept: accepting(a) })).toBe(false);
    expect(acceptList(infoHash, node, [node, a])).toEqual([acceptHash(infoHash, node, a)]);
    expect(acceptList(infoHash, node, Array.from({ length: 300 }, key))).toHaveLength(MAX_ACCEPT_HASHES);
  });

  it('swarm_pex carries accept lists and drops malformed entries', () => {
    const hash = acceptHash(infoHash, node, a);
    const decoded = decodePexMessage(Buffer.from(JSON.stringify({ v: 1, listen: null, peers: [], accept: [hash, 'zz', 42, hash.toUpperCase(), hash + '0'] })));
    expect(decoded!.accept).toEqual([hash]);
    expect(decodePexMessage(encodePexMessage({ listen: 1, peers: [], accept: [hash] }))!.accept).toEqual([hash]);
    expect(decodePexMessage(encodePexMessage({ listen: 1, peers: [] }))!.accept).toBeUndefined();
  });
});

describe('which announced addresses are dialled', () => {
  it('never unspecified, multicast, broadcast; loopback and link-local only from a peer on the same kind of address', () => {
    for (const host of ['0.0.0.0', '224.0.0.1', '239.1.2.3', '255.255.255.255', '240.0.0.1', '::', 'ff02::1', '::ffff:224.0.0.1']) {
      expect([host, scopeOf(host)]).toEqual([host, 'never']);
      expect(isDialableFrom(host, '127.0.0.1')).toBe(false);
    }
    for (const host of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) {
      expect([host, scopeOf(host)]).toEqual([host, 'loopback']);
      expect(isDialableFrom(host, '192.0.2.7')).toBe(false);
      expect(isDialableFrom(host, '127.0.0.5')).toBe(true);
    }
    for (const host of ['169.254.1.1', 'fe80::1']) {
      expect(isDialableFrom(host, '192.0.2.7')).toBe(false);
      expect(isDialableFrom(host, '169.254.9.9')).toBe(true);
    }
    expect(isDialableFrom('192.0.2.8', '192.0.2.7')).toBe(true);
    expect(isDialableFrom('2001:db8::5', '127.0.0.1')).toBe(true);
    expect(isDialableFrom('evil.example', '127.0.0.1')).toBe(false);
  });

  it('one queued address per key, nothing for a busy key, at most the burst at once and then the rate', async () => {
    const dialled: string[] = [];
    const busy = new Set(['busy']);
    // As in TorrentPeers: a key being dialled is busy.
    const dial = (address: { port: number }, keyText: string) => {
      dialled.push(`${keyText}@${address.port}`);
      busy.add(keyText);
    };
    const gate = new PexDialGate({ dial, isBusy: (k) => busy.has(k), ratePerSecond: 20, burst: 3 });
    expect(gate.offer({ host: '224.0.0.1', port: 1 }, 'k0', '127.0.0.1')).toBe(false);
    gate.offer({ host: '127.0.0.2', port: 1 }, 'busy', '127.0.0.1');
    for (let i = 0; i < 500; i++) gate.offer({ host: '127.0.0.2', port: 1000 + i }, `k${i % 10}`, '127.0.0.1');
    expect(dialled).toHaveLength(3);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const elapsedSeconds = (performance.now() - started) / 1000;
    expect(dialled.length).toBeLessThanOrEqual(3 + Math.ceil(20 * elapsedSeconds) + 1);
    expect(dialled.length).toBeGreaterThan(3);
    expect(dialled.some((d) => d.startsWith('busy@'))).toBe(false);
    // Each key at most once, the later ones at the latest address announced for them.
    expect(new Set(dialled.map((d) => d.split('@')[0])).size).toBe(dialled.length);
    expect(dialled.slice(3).every((d) => Number(d.split('@')[1]) >= 1490)).toBe(true);
    gate.close();
  });
});
