// The beacon format over bytes alone: what it carries, what it must not, and hostile input.
import { describe, expect, it } from 'vitest';
import { edPublicKeyToX25519 } from '../../src/crypto/box-keys.js';
import { sha1 } from '../../src/crypto/hash.js';
import { createIdentity } from '../../src/identity/identity.js';
import { fingerprint } from '../../src/identity/key-text.js';
import { PairSecrets } from '../../src/identity/pair-secret.js';
import {
  BEACON_HEADER_BYTES, decodeBeacon, direction, encodeBeacon, hasTag, MAX_BEACON_BYTES, presenceTag, shareKey, shareTag,
} from '../../src/discovery/beacon-codec.js';

const alice = createIdentity();
const bob = createIdentity();
const mallory = createIdentity();
const infoHash = sha1(Buffer.from('holiday.jpg')).toString('hex');

function aliceBeacon(isQuery = false): Buffer {
  const secret = new PairSecrets(alice.secretKey).with(bob.publicKey)!;
  return encodeBeacon({ isQuery, port: 7000, timeS: 1_800_000_000, pairSecrets: [{ secret, direction: direction(alice.publicKey, bob.publicKey) }], shareKeys: [shareKey(infoHash, alice.publicKey)] });
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
}

describe('pair secrets', () => {
  it('are the same from either side and differ for any other pair', () => {
    const ab = new PairSecrets(alice.secretKey).with(bob.publicKey)!;
    expect(Buffer.from(new PairSecrets(bob.secretKey).with(alice.publicKey)!)).toEqual(Buffer.from(ab));
    expect(Buffer.from(new PairSecrets(mallory.secretKey).with(alice.publicKey)!)).not.toEqual(Buffer.from(ab));
    expect(Buffer.from(new PairSecrets(mallory.secretKey).with(bob.publicKey)!)).not.toEqual(Buffer.from(ab));
  });
});

describe('beacon codec', () => {
  it('round-trips port, query flag, and tags the right holders recognise', () => {
    const decoded = decodeBeacon(aliceBeacon(true))!;
    expect(decoded).toMatchObject({ isQuery: true, port: 7000, timeS: 1_800_000_000 });
    // One real presence tag padded to 8, one share tag padded to 4.
    expect(decoded.presenceTags).toHaveLength(8);
    expect(decoded.shareTags).toHaveLength(4);
    const bobsSecret = new PairSecrets(bob.secretKey).with(alice.publicKey)!;
    expect(hasTag(decoded.presenceTags, presenceTag(bobsSecret, direction(alice.publicKey, bob.publicKey), decoded.header))).toBe(true);
    // Alice herself, checking whether bob sent it, does not take her own beacon for his.
    expect(hasTag(decoded.presenceTags, presenceTag(bobsSecret, direction(bob.publicKey, alice.publicKey), decoded.header))).toBe(false);
    expect(hasTag(decoded.shareTags, shareTag(shareKey(infoHash, alice.publicKey), decoded.header))).toBe(true);
    // Mallory knows alice's public key and the infohash but not the sharer: no tag matches.
    const mallorysSecret = new PairSecrets(mallory.secretKey).with(alice.publicKey)!;
    for (const way of [Uint8Array.of(0), Uint8Array.of(1)]) expect(hasTag(decoded.presenceTags, presenceTag(mallorysSecret, way, decoded.header))).toBe(false);
    expect(hasTag(decoded.shareTags, shareTag(shareKey(infoHash, mallory.publicKey), decoded.header))).toBe(false);
  });

  it('carries no key, fingerprint, infohash or file name in clear', () => {
    const bytes = aliceBeacon();
    for (const identity of [alice, bob]) {
      expect(containsBytes(bytes, identity.publicKey)).toBe(false);
      expect(containsBytes(bytes, identity.noisePublicKey)).toBe(false);
      expect(containsBytes(bytes, edPublicKeyToX25519(identity.publicKey)!)).toBe(false);
      // Any 8-byte window of the key would be a usable prefix: none appears either.
      for (let i = 0; i + 8 <= 32; i += 4) expect(containsBytes(bytes, identity.publicKey.subarray(i, i + 8))).toBe(false);
      const text = bytes.toString('latin1');
      expect(text).not.toContain(identity.keyText);
      expect(text).not.toContain(fingerprint(identity.publicKey));
      expect(text.toLowerCase()).not.toContain(fingerprint(identity.publicKey).replace(/[^0-9a-z]/gi, '').toLowerCase().slice(0, 8));
    }
    expect(containsBytes(bytes, Buffer.from(infoHash, 'hex').subarray(0, 8))).toBe(false);
    expect(bytes.toString('latin1')).not.toContain(infoHash);
    expect(bytes.toString('latin1')).not.toContain('holiday');
  });

  it('two beacons of one node share no tag and no nonce (an outsider cannot link them)', () => {
    const first = decodeBeacon(aliceBeacon())!;
    const second = decodeBeacon(aliceBeacon())!;
    expect(Buffer.from(first.nonce)).not.toEqual(Buffer.from(second.nonce));
    const seen = new Set([...first.presenceTags, ...first.shareTags].map((tag) => Buffer.from(tag).toString('hex')));
    for (const tag of [...second.presenceTags, ...second.shareTags]) expect(seen.has(Buffer.from(tag).toString('hex'))).toBe(false);
    // Same trust list size, same length: the tag count says no more than "up to 8 keys".
    expect(aliceBeacon().length).toBe(aliceBeacon().length);
  });

  it('a node that trusts nobody sends a beacon the same size as one that trusts a few', () => {
    const empty = encodeBeacon({ isQuery: false, port: 1, timeS: 0, pairSecrets: [], shareKeys: [] });
    const some = encodeBeacon({ isQuery: false, port: 1, timeS: 0, pairSecrets: [{ secret: new Uint8Array(32), direction: Uint8Array.of(0) }, { secret: new Uint8Array(32).fill(1), direction: Uint8Array.of(1) }], shareKeys: [] });
    expect(empty.length).toBe(BEACON_HEADER_BYTES + 8 * 16);
    expect(some.length).toBe(empty.length);
  });

  it('refuses malformed datagrams without throwing', () => {
    const good = aliceBeacon();
    expect(decodeBeacon(good.subarray(0, good.length - 1))).toBeUndefined();
    expect(decodeBeacon(Buffer.concat([good, Buffer.alloc(16)]))).toBeUndefined();
    expect(decodeBeacon(Buffer.alloc(MAX_BEACON_BYTES + 16))).toBeUndefined();
    const badMagic = Buffer.from(good);
    badMagic[3] = 2;
    expect(decodeBeacon(badMagic)).toBeUndefined();
    const badFlags = Buffer.from(good);
    badFlags[4] = 0x80;
    expect(decodeBeacon(badFlags)).toBeUndefined();
    const zeroPort = Buffer.from(good);
    zeroPort.writeUInt16BE(0, 5);
    expect(decodeBeacon(zeroPort)).toBeUndefined();
    const tooManyTags = Buffer.from(good);
    tooManyTags[27] = 200;
    expect(decodeBeacon(tooManyTags)).toBeUndefined();
    // Random bytes with a valid magic: never a throw, and anything accepted is self-consistent.
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(Array.from({ length: (i * 37) % 1500 }, (_, j) => (i * 131 + j * 17) & 0xff));
      if (junk.length >= 4) good.copy(junk, 0, 0, 4);
      const decoded = decodeBeacon(junk);
      if (decoded) expect(decoded.header.length + 16 * (decoded.presenceTags.length + decoded.shareTags.length)).toBe(junk.length);
    }
  });

  it('refuses to build a beacon it could not send', () => {
    expect(() => encodeBeacon({ isQuery: false, port: 0, timeS: 0, pairSecrets: [], shareKeys: [] })).toThrow(RangeError);
    expect(() => encodeBeacon({ isQuery: false, port: 1, timeS: 0, pairSecrets: Array.from({ length: 65 }, () => ({ secret: new Uint8Array(32), direction: Uint8Array.of(0) })), shareKeys: [] })).toThrow(RangeError);
  });
});
