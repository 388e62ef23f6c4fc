/**
 * What a trusted peer (stolen key, buggy build) can send over BitTorrent, from a seeded PRNG
 * (the same run every time): every message id, lengths right and wrong, extension messages
 * under every id the node gave and some it did not, with bencoded fields of every type. Sent
 * by hand to an in-process sharer, a getter that has no metadata yet and a getter that has
 * it and is fetching, over real SwarmNode links on 127.0.0.1. A message may get the link dropped; it must never
 * end the process (vitest fails the run on an uncaught exception), and after each round the
 * node must still serve a peer that behaves: its metadata to the getter of the sharer, an
 * answer to a metadata request from the getter.
 */
import bencode from 'bencode';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { metadataDataMessage } from '../../src/share/link-fast-start.js';
import { EXTENDED, extendedMessage, message, peerExtendedHandshake } from '../helpers/bittorrent-by-hand.js';
import { mutate, randomBuffer, randomInt, seededRandom } from '../helpers/fuzz.js';
import { bitTorrentLinkTo, shareRandomFile, waitingGetter, type ShareNode } from './share-node-fixture.js';

const ROUNDS = 40;
const MESSAGES_PER_ROUND = 150;
const OUR_UT_METADATA = 3;

const random = seededRandom(Number(process.env.WIRE_FUZZ_SEED ?? 0xb17));
const int = (below: number) => randomInt(random, below);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const NUMBERS = [0, 1, -1, 2, 3, 16383, 16384, 16385, 65535, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 40), 1e7, 1e7 + 1];

function randomValue(depth = 0): unknown {
  switch (depth > 2 ? int(2) : int(5)) {
    case 0: return pick(NUMBERS);
    case 1: return randomBuffer(random, int(24));
    case 2: return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    case 3: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['msg_type', 'piece', 'total_size', 'm', 'v', 'reqq', 'metadata_size', 'ut_metadata', 'x']), randomValue(depth + 1)]));
    default: return pick([0, 1, 2, 3, 7]);
  }
}

const u32 = (...values: number[]) => Buffer.concat(values.map((value) => { const b = Buffer.alloc(4); b.writeUInt32BE(value >>> 0); return b; }));

/** One hostile message, given the extension ids the node announced. */
function hostileMessage(theirIds: number[], pieces: number): Buffer {
  switch (int(8)) {
    case 0: // a core message with a random payload of a random length
      return message(int(22), randomBuffer(random, pick([0, 1, 3, 4, 8, 12, 13, 17, 40])));
    case 1: // have / request / cancel / reject / allowed-fast with real-looking, edge or absurd numbers
      return message(pick([4, 6, 8, 13, 16, 17]), u32(pick([0, pieces - 1, pieces, 2 ** 31, 2 ** 32 - 1]), pick([0, 16384, 2 ** 31]), pick([0, 1, 16384, 16385, 2 ** 31])).subarray(0, pick([4, 12])));
    case 2: // a piece message for a block nobody asked for
      return message(7, Buffer.concat([u32(int(pieces + 2), pick([0, 16384, 3])), randomBuffer(random, pick([0, 1, 100, 16384]))]));
    case 3: // a bitfield of a wrong or right length
      return message(5, randomBuffer(random, pick([0, 1, Math.ceil(pieces / 8), 300])));
    case 4: // an extended handshake with odd fields
      return extendedMessage(0, Buffer.from(bencode.encode(randomValue() as object ?? {})));
    case 5: // a BEP 9 message under the node's ut_metadata id (or another id it gave)
      return extendedMessage(pick(theirIds), Buffer.concat([
        Buffer.from(bencode.encode({ msg_type: pick([0, 1, 2, 3, -1]), piece: pick(NUMBERS), total_size: pick(NUMBERS) })),
        randomBuffer(random, pick([0, 10, 16384, 16385])),
      ]));
    case 6: // an extension message under an id the node never gave, or a mangled bencoding
      return extendedMessage(pick([1, 2, 9, 200, 255, ...theirIds]), mutate(random, Buffer.from(bencode.encode({ msg_type: 1, piece: 0, v: 1, peers: [] }))));
    default: // simple keep-alive, choke, unchoke, interested, uninterested, have-all, have-none
      return pick([Buffer.alloc(4), message(0, Buffer.alloc(0)), message(1, Buffer.alloc(0)), message(2, Buffer.alloc(0)), message(3, Buffer.alloc(0)), message(14, Buffer.alloc(0)), message(15, Buffer.alloc(0))]);
  }
}

/** One round: a link, the hostile messages, until they are all written or the node drops the link. */
async function hostileRound(target: ShareNode, infoHash: string, pieces: number): Promise<void> {
  const link = await bitTorrentLinkTo(target.port, infoHash).catch(() => undefined);
  if (!link) return;
  const closed = new Promise<void>((resolve) => link.stream.once('close', () => resolve()));
  const theirs = await Promise.race([peerExtendedHandshake(link.reader), closed.then(() => undefined)]);
  if (!theirs) return;
  const theirIds = Object.values(theirs.m).filter((id): id is number => typeof id === 'number');
  link.stream.write(extendedMessage(0, Buffer.from(bencode.encode({ m: { ut_metadata: OUR_UT_METADATA }, ...(int(2) ? { metadata_size: pick(NUMBERS) } : {}) }))));
  for (let i = 0; i < MESSAGES_PER_ROUND && !link.stream.destroyed; i++) link.stream.write(hostileMessage(theirIds, pieces));
  // Whatever the node made of it: a keep-alive and a close, then the next round.
  await new Promise<void>((resolve) => setImmediate(resolve));
  link.stream.end();
  await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 2000))]);
  link.stream.destroy();
}

/** A peer that behaves: asks for the metadata's first piece and expects `data` (has it) or `reject` (has not). */
async function politeAnswer(target: ShareNode, infoHash: string): Promise<number> {
  const link = await bitTorrentLinkTo(target.port, infoHash);
  const theirs = await peerExtendedHandshake(link.reader);
  link.stream.write(extendedMessage(0, Buffer.from(bencode.encode({ m: { ut_metadata: OUR_UT_METADATA } }))));
  link.stream.write(extendedMessage(theirs.m.ut_metadata!, Buffer.from(bencode.encode({ msg_type: 0, piece: 0 }))));
  const reply = await link.reader.waitFor((m) => m.id === EXTENDED && m.payload[0] === OUR_UT_METADATA);
  link.stream.destroy();
  return (bencode.decode(reply.payload.subarray(1, reply.payload.indexOf('ee') + 2)) as { msg_type: number }).msg_type;
}

describe('BitTorrent messages from a hostile trusted peer (seeded fuzz)', () => {
  it('a sharer survives every round and still serves its metadata', async () => {
    const { node: sharer, infoHash } = await shareRandomFile(200_000);
    for (let round = 0; round < ROUNDS; round++) {
      await hostileRound(sharer, infoHash, 13);
      expect(await politeAnswer(sharer, infoHash)).toBe(1); // data
    }
  }, 120_000);

  it('a getter without metadata survives every round and still answers', async () => {
    const { infoHash } = fourPieceTorrent();
    const { node: getter, failures } = await waitingGetter(infoHash);
    await untilLinked(getter, infoHash);
    for (let round = 0; round < ROUNDS; round++) {
      await hostileRound(getter, infoHash, 4);
      expect(await politeAnswer(getter, infoHash)).toBe(2); // reject: it has no metadata
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('a getter that has the metadata and is fetching survives every round and still answers', async () => {
    const { info, infoHash } = fourPieceTorrent();
    const { node: getter, session, failures } = await waitingGetter(infoHash);
    await untilLinked(getter, infoHash);
    // A source that gives the metadata, then has no pieces to give: the getter stays fetching.
    const source = await bitTorrentLinkTo(getter.port, infoHash);
    const theirs = await peerExtendedHandshake(source.reader);
    source.stream.write(extendedMessage(0, Buffer.from(bencode.encode({ m: { ut_metadata: OUR_UT_METADATA }, metadata_size: info.length }))));
    const downloading = new Promise<void>((resolve) => session.once('downloading', () => resolve()));
    await source.reader.waitFor((m) => m.id === EXTENDED && m.payload[0] === OUR_UT_METADATA);
    source.stream.write(extendedMessage(theirs.m.ut_metadata!, metadataDataMessage(info, 0)));
    await downloading;
    for (let round = 0; round < ROUNDS; round++) {
      await hostileRound(getter, infoHash, 4);
      expect(await politeAnswer(getter, infoHash)).toBe(1); // data: it has the metadata now
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

/** A torrent of four 16 KiB pieces (its data is never needed): the info dictionary as BEP 9 carries it, and its hash. */
function fourPieceTorrent(): { info: Buffer; infoHash: string } {
  const info = Buffer.from(bencode.encode({ length: 4 * 16384, name: 'n.bin', 'piece length': 16384, pieces: randomBytes(4 * 20) }));
  return { info, infoHash: createHash('sha1').update(info).digest('hex') };
}

/** The getter takes links once its engine has the info hash, a moment after run(). */
async function untilLinked(getter: ShareNode, infoHash: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await politeAnswer(getter, infoHash).then(() => true, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
