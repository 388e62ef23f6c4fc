// A peer with a link (a SwarmNode link on the torrent's channel, over which the test
// speaks BitTorrent by hand) announces a message far larger than any swarm peer sends: the sharer must
// drop the connection instead of buffering it, and go on serving a peer that behaves.
// No sleeps: every step waits for an event (a close, a metadata reply).
import bencode from 'bencode';
import { describe, expect, it } from 'vitest';
import { message } from '../helpers/bittorrent-by-hand.js';
import { MAX_WIRE_MESSAGE_BYTES } from '../../src/share/wire-message-limit.js';
import { bitTorrentLinkTo, shareRandomFile } from './share-node-fixture.js';

/** Our ut_metadata id in the extended handshake we send (BEP 9/10). */
const OUR_UT_METADATA = 3;

describe('BitTorrent message length limit', () => {
  it('drops a peer that announces an oversized message, and still serves one that does not', async () => {
    const { node, infoHash } = await shareRandomFile(300_000);

    const polite = await bitTorrentLinkTo(node.port, infoHash);
    const keepAlive = Buffer.alloc(4); // length 0
    polite.stream.write(keepAlive);

    const greedy = await bitTorrentLinkTo(node.port, infoHash);
    greedy.stream.on('error', () => {});
    const closed = new Promise<void>((resolve) => greedy.stream.once('close', () => resolve()));
    const header = Buffer.alloc(5);
    header.writeUInt32BE(MAX_WIRE_MESSAGE_BYTES + 1, 0);
    header[4] = 7; // "piece"
    greedy.stream.write(header);
    // Some of the announced body: a sharer without the limit would buffer it and wait for more.
    for (let sent = 0; sent < 16; sent++) greedy.stream.write(Buffer.alloc(64 * 1024));
    await closed;
    expect(greedy.stream.destroyed).toBe(true);

    // The polite peer is still served after the greedy one was dropped: its metadata request
    // (sent only now) is answered. A dropped polite link would close instead of answering.
    const sharerHandshake = await polite.reader.waitFor((m) => m.id === 20 && m.payload[0] === 0);
    const theirUtMetadata = (bencode.decode(sharerHandshake.payload.subarray(1)) as { m: { ut_metadata: number } }).m.ut_metadata;
    expect(theirUtMetadata).toBeGreaterThan(0);
    polite.stream.write(message(20, Buffer.concat([Buffer.from([0]), bencode.encode({ m: { ut_metadata: OUR_UT_METADATA } })])));
    polite.stream.write(message(20, Buffer.concat([Buffer.from([theirUtMetadata]), bencode.encode({ msg_type: 0, piece: 0 })])));
    const reply = await Promise.race([
      polite.reader.waitFor((m) => m.id === 20 && m.payload[0] === OUR_UT_METADATA),
      new Promise<never>((_, reject) => polite.stream.once('close', () => reject(new Error('the polite peer was dropped')))),
    ]);
    expect(reply.payload.includes(Buffer.from('8:msg_typei1e'))).toBe(true); // "data", not "reject"
    expect(polite.stream.destroyed).toBe(false);
  });
});
