// BEP 9 `data` that a getter cannot place yet. ut_metadata writes a piece of the metadata
// into a buffer it makes only once the peer's extended handshake gave the metadata's size; a
// `data` message before that threw out of the wire's parser and ended the getter's process
// with a stack trace. Found when two capped getters met before either had the metadata: the
// one that got it first sent it unasked (fast start) on a link whose handshake had said
// nothing of its size. Here a trusted peer speaks BitTorrent by hand to an in-process getter
// (real SwarmNodes on 127.0.0.1). Each step waits for a message.
import bencode from 'bencode';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GetSession } from '../../src/share/get-session.js';
import { metadataDataMessage } from '../../src/share/link-fast-start.js';
import { parseMagnetLink } from '../../src/share/magnet-link.js';
import { EXTENDED, extendedMessage, handshakenLink, peerExtendedHandshake, type WireMessage } from '../helpers/bittorrent-by-hand.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeNode, onTeardown } from './share-node-fixture.js';

/** Our ut_metadata id in the extended handshakes the hand-made peers send. */
const OUR_UT_METADATA = 3;
const UNCHOKE = 1;

/** A one-piece torrent's info dictionary, bencoded as BEP 9 carries it, and its info hash. */
function smallTorrentInfo(): { info: Buffer; infoHash: string } {
  const data = randomBytes(16 * 1024);
  const info = Buffer.from(bencode.encode({ length: data.length, name: 'note.bin', 'piece length': 16 * 1024, pieces: createHash('sha1').update(data).digest() }));
  return { info, infoHash: createHash('sha1').update(info).digest('hex') };
}

/** A getter with no address to fetch from (it waits for peers), listening for trusted links. */
async function waitingGetter(infoHash: string) {
  const node = await makeNode();
  const session = new GetSession({
    node: node.node, router: node.router, ownKeyText: node.keyText, listenPort: node.port, magnet: parseMagnetLink(`magnet:?xt=urn:btih:${infoHash}`),
    extraPeers: [], outDir: tempDir(), stateDir: tempDir(), isForced: false, isAllowed: () => true, isDiscovering: true,
  });
  const errors: unknown[] = [];
  session.on('error', (error: unknown) => errors.push(error));
  session.run().catch((error: unknown) => errors.push(error));
  onTeardown(() => session.close());
  return { node, session, errors };
}

/**
 * A trusted peer's link to the getter, past the BitTorrent handshake, and the getter's
 * extended handshake. The getter takes links for the torrent once its engine has the info
 * hash, a moment after run(): until then it refuses ("shares nothing"), so a refused dial is
 * tried again (at most 100 times, 20 ms apart).
 */
async function peerOf(getterPort: number, infoHash: string) {
  const { node } = await makeNode();
  let link: Awaited<ReturnType<typeof handshakenLink>> | undefined;
  for (let attempt = 0; !link; attempt++) {
    link = await handshakenLink(node, getterPort, infoHash).catch((error: unknown) => {
      if (attempt >= 100 || !String(error).includes('shares nothing')) throw error;
      return new Promise<undefined>((resolve) => setTimeout(resolve, 20));
    });
  }
  link.stream.on('error', () => {});
  const theirs = await peerExtendedHandshake(link.reader);
  return { ...link, theirUtMetadata: theirs.m.ut_metadata!, theirMetadataSize: theirs.metadata_size };
}

const isMetadataMessage = (msgType: number) => (m: WireMessage) =>
  m.id === EXTENDED && m.payload[0] === OUR_UT_METADATA && m.payload.includes(Buffer.from(`8:msg_typei${msgType}e`));

describe('BEP 9 data before the metadata size is known', () => {
  it('a getter drops it and goes on: the same link is answered after it', async () => {
    const { info, infoHash } = smallTorrentInfo();
    const getter = await waitingGetter(infoHash);
    const peer = await peerOf(getter.node.port, infoHash);
    expect(peer.theirMetadataSize).toBeUndefined(); // the getter has no metadata yet

    // Our extended handshake gives no metadata_size; then a piece of metadata nobody asked for.
    peer.stream.write(extendedMessage(0, bencode.encode({ m: { ut_metadata: OUR_UT_METADATA } })));
    peer.stream.write(extendedMessage(peer.theirUtMetadata, metadataDataMessage(info, 0)));
    // A request behind it: its answer ("reject": the getter has no metadata) proves the data
    // message was read and the getter is still there. Before the guard the getter's process
    // died on the data message with "Cannot read properties of undefined (reading 'set')".
    peer.stream.write(extendedMessage(peer.theirUtMetadata, bencode.encode({ msg_type: 0, piece: 0 })));
    const reply = await Promise.race([
      peer.reader.waitFor(isMetadataMessage(2)),
      new Promise<never>((_, reject) => peer.stream.once('close', () => reject(new Error('the getter dropped the link')))),
    ]);
    expect(reply.payload.includes(Buffer.from('5:piecei0e'))).toBe(true);
    expect(peer.stream.destroyed).toBe(false);
    expect(getter.errors).toEqual([]);
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
    expect(getter.errors).toEqual([]);
  }, 20_000);
});
