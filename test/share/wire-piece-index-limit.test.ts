// A trusted peer names a piece far beyond the torrent in a `have` (and in a BEP 6 `suggest`).
// Before the limit, webtorrent's rarity map grew to that index and the next peer's arrival
// filled 1.6 billion entries: the sharer ran out of memory. Now the peer is dropped and the
// sharer goes on serving. Real SwarmNode links on 127.0.0.1; the peers speak BitTorrent by hand.
import bencode from 'bencode';
import { describe, expect, it } from 'vitest';
import type { Wire } from 'webtorrent';
import { isBeyondTorrent, limitPieceIndices } from '../../src/share/wire-piece-index-limit.js';
import { EXTENDED, extendedMessage, message, peerExtendedHandshake } from '../helpers/bittorrent-by-hand.js';
import { bitTorrentLinkTo, shareRandomFile } from './share-node-fixture.js';

const OUR_UT_METADATA = 3;
const HAVE = 4;
const SUGGEST = 0x0d;

const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
};

describe('piece indices beyond the torrent', () => {
  it('isBeyondTorrent checks only once the piece count is known', () => {
    const wire = {} as Wire;
    let count = 0;
    limitPieceIndices(wire, () => count);
    expect(isBeyondTorrent(wire, 2 ** 31)).toBe(false); // no metadata yet: nothing to check against
    count = 5;
    expect([0, 4].map((i) => isBeyondTorrent(wire, i))).toEqual([false, false]);
    expect([5, 2 ** 31, -1, 1.5].map((i) => isBeyondTorrent(wire, i))).toEqual([true, true, true, true]);
    expect(isBeyondTorrent({}, 2 ** 31)).toBe(false); // a wire that is none of ours
  });

  for (const [name, id] of [['have', HAVE], ['suggest', SUGGEST]] as const) {
    it(`a sharer drops a peer whose ${name} names piece 1,604,270,977, and still serves the next peer`, async () => {
      const { node, infoHash } = await shareRandomFile(300_000);
      const hostile = await bitTorrentLinkTo(node.port, infoHash);
      const closed = new Promise<void>((resolve) => hostile.stream.once('close', () => resolve()));
      hostile.stream.write(message(id, u32(1_604_270_977)));
      await closed;
      expect(hostile.stream.destroyed).toBe(true);

      // The next peer's arrival is what filled the grown array before: it now gets the metadata.
      const polite = await bitTorrentLinkTo(node.port, infoHash);
      const theirs = await peerExtendedHandshake(polite.reader);
      polite.stream.write(extendedMessage(0, Buffer.from(bencode.encode({ m: { ut_metadata: OUR_UT_METADATA } }))));
      polite.stream.write(extendedMessage(theirs.m.ut_metadata!, Buffer.from(bencode.encode({ msg_type: 0, piece: 0 }))));
      const reply = await polite.reader.waitFor((m) => m.id === EXTENDED && m.payload[0] === OUR_UT_METADATA);
      expect(reply.payload.includes(Buffer.from('8:msg_typei1e'))).toBe(true); // data
    }, 20_000);
  }
});
