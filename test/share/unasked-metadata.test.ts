// BEP 9 messages a getter cannot take. ut_metadata writes a piece of the metadata into a
// buffer it makes only once the peer's extended handshake gave the metadata's size; a `data`
// message before that, or one whose piece falls outside the buffer, or a message that decodes
// to nothing, threw out of the wire's parser and ended the getter's process with a stack
// trace. The first was found when two capped getters met before either had the metadata: the
// one that got it first sent it unasked (fast start) on a link whose handshake had said
// nothing of its size; the others by test/share/wire-messages.fuzz.test.ts. Here a trusted peer speaks BitTorrent by hand to an in-process getter
// (real SwarmNodes on 127.0.0.1). Each step waits for a message.
import bencode from 'bencode';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { metadataDataMessage } from '../../src/share/link-fast-start.js';
import { EXTENDED, extendedMessage, peerExtendedHandshake, type WireMessage } from '../helpers/bittorrent-by-hand.js';
import { bitTorrentLinkTo, waitingGetter } from './share-node-fixture.js';

/** Our ut_metadata id in the extended handshakes the hand-made peers send. */
const OUR_UT_METADATA = 3;
const UNCHOKE = 1;

/** A one-piece torrent's info dictionary, bencoded as BEP 9 carries it, and its info hash. */
function smallTorrentInfo(): { info: Buffer; infoHash: string } {
  const data = randomBytes(16 * 1024);
  const info = Buffer.from(bencode.encode({ length: data.length, name: 'note.bin', 'piece length': 16 * 1024, pieces: createHash('sha1').update(data).digest() }));
  return { info, infoHash: createHash('sha1').update(info).digest('hex') };
}

/**
 * A trusted peer's link to the getter, past the BitTorrent handshake, and the getter's
 * extended handshake. The getter takes links for the torrent once its engine has the info
 * hash, a moment after run(): until then it refuses ("shares nothing"), so a refused dial is
 * tried again (at most 100 times, 20 ms apart).
 */
async function peerOf(getterPort: number, infoHash: string) {
  let link: Awaited<ReturnType<typeof bitTorrentLinkTo>> | undefined;
  for (let attempt = 0; !link; attempt++) {
    link = await bitTorrentLinkTo(getterPort, infoHash).catch((error: unknown) => {
      if (attempt >= 100 || !String(error).includes('shares nothing')) throw error;
      return new Promise<undefined>((resolve) => setTimeout(resolve, 20));
    });
  }
  const theirs = await peerExtendedHandshake(link.reader);
  return { ...link, theirUtMetadata: theirs.m.ut_metadata!, theirMetadataSize: theirs.metadata_size };
}

const isMetadataMessage = (msgType: number) => (m: WireMessage) =>
  m.id === EXTENDED && m.payload[0] === OUR_UT_METADATA && m.payload.includes(Buffer.from(`8:msg_typei${msgType}e`));

/**
 * Asks the getter for metadata piece 0 and waits for its "reject" (it has no metadata): the
 * answer proves that everything sent before was read and that the getter is still there.
 */
async function rejectedRequest(peer: Awaited<ReturnType<typeof peerOf>>): Promise<WireMessage> {
  peer.stream.write(extendedMessage(peer.theirUtMetadata, bencode.encode({ msg_type: 0, piece: 0 })));
  return Promise.race([
    peer.reader.waitFor(isMetadataMessage(2)),
    new Promise<never>((_, reject) => peer.stream.once('close', () => reject(new Error('the getter dropped the link')))),
  ]);
}

describe('BEP 9 data before the metadata size is known', () => {
  it('a getter drops it and goes on: the same link is answered after it', async () => {
    const { info, infoHash } = smallTorrentInfo();
    const getter = await waitingGetter(infoHash);
    const peer = await peerOf(getter.node.port, infoHash);
    expect(peer.theirMetadataSize).toBeUndefined(); // the getter has no metadata yet

    // Our extended handshake gives no metadata_size; then a piece of metadata nobody asked for.
    peer.stream.write(extendedMessage(0, bencode.encode({ m: { ut_metadata: OUR_UT_METADATA } })));
    peer.stream.write(extendedMessage(peer.theirUtMetadata, metadataDataMessage(info, 0)));
    // Before the guard the getter's process died on the data message with "Cannot read
    // properties of undefined (reading 'set')".
    const reply = await rejectedRequest(peer);
    expect(reply.payload.includes(Buffer.from('5:piecei0e'))).toBe(true);
    expect(peer.stream.destroyed).toBe(false);
    expect(getter.failures).toEqual([]);
  }, 20_000);

  it('a getter drops a data piece that would land outside the metadata, and goes on', async () => {
    const { info, infoHash } = smallTorrentInfo();
    const getter = await waitingGetter(infoHash);
    const peer = await peerOf(getter.node.port, infoHash);
    // The size is announced this time, so the getter has a buffer of info.length bytes; piece 5
    // starts at 80 KiB, far past it (before: "RangeError: offset is out of bounds", process gone).
    peer.stream.write(extendedMessage(0, bencode.encode({ m: { ut_metadata: OUR_UT_METADATA }, metadata_size: info.length })));
    await peer.reader.waitFor(isMetadataMessage(0)); // the getter asks for piece 0: its buffer exists
    peer.stream.write(extendedMessage(peer.theirUtMetadata, Buffer.concat([Buffer.from(bencode.encode({ msg_type: 1, piece: 5, total_size: info.length })), info])));
    await rejectedRequest(peer);
    // The real piece still completes the metadata: the getter starts downloading.
    const downloading = new Promise<void>((resolve) => getter.session.once('downloading', () => resolve()));
    peer.stream.write(extendedMessage(peer.theirUtMetadata, metadataDataMessage(info, 0)));
    await downloading;
    expect(getter.failures).toEqual([]);
  }, 20_000);

  it('a BEP 9 message that decodes to nothing ends that link, not the getter', async () => {
    const { infoHash } = smallTorrentInfo();
    const getter = await waitingGetter(infoHash);
    const hostile = await peerOf(getter.node.port, infoHash);
    const closed = new Promise<void>((resolve) => hostile.stream.once('close', () => resolve()));
    // An empty payload decodes to null, and ut_metadata read `null.msg_type` (before: a TypeError, process gone).
    hostile.stream.write(extendedMessage(hostile.theirUtMetadata, Buffer.alloc(0)));
    await closed;
    // Another peer is still answered.
    const polite = await peerOf(getter.node.port, infoHash);
    polite.stream.write(extendedMessage(0, bencode.encode({ m: { ut_metadata: OUR_UT_METADATA } })));
    await rejectedRequest(polite);
    expect(getter.failures).toEqual([]);
  }, 20_000);

  it('a getter that got the metadata after its handshake went out does not send it unasked on that link', async () => {
    const { info, infoHash } = smallTorrentInfo();
    const getter = await waitingGetter(infoHash);
    // The early peer's link opens while the getter has no metadata: the getter's handshake says so.
    const early = await peerOf(getter.node.port, infoHash);
    expect(early.theirMetadataSize).toBeUndefined();

    // A second peer has the metadata, says how large it is, and answers the getter's requests.
    const source = await peerOf(getter.node.port, infoHash);
    source.stream.write(extendedMessage(0, bencode.encode({ m: { ut_metadata: OUR_UT_METADATA }, metadata_size: info.length })));
    const downloading = new Promise<void>((resolve) => getter.session.once('downloading', () => resolve()));
    const request = await source.reader.waitFor(isMetadataMessage(0));
    const piece = (bencode.decode(request.payload.subarray(1)) as { piece: number }).piece;
    source.stream.write(extendedMessage(source.theirUtMetadata, metadataDataMessage(info, piece)));
    await downloading;

    // Only now the early peer's extended handshake, without metadata_size. Fast start answers a
    // handshake with the metadata and an unchoke, in that order, in one go; the getter's own
    // handshake on this link gave no size, so only the unchoke may come.
    early.stream.write(extendedMessage(0, bencode.encode({ m: { ut_metadata: OUR_UT_METADATA } })));
    await early.reader.waitFor((m) => m.id === UNCHOKE);
    expect(early.reader.messages.filter(isMetadataMessage(1))).toEqual([]);
    expect(getter.failures).toEqual([]);
  }, 20_000);
});
