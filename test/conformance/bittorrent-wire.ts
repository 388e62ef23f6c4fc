/**
 * Conformance client, part 6: the BitTorrent wire (BEP 3, BEP 6 fast, BEP 10 extensions,
 * BEP 9 ut_metadata) inside an open "torrent <infohash>" channel: fetch the info
 * dictionary, check it against the infohash, then fetch piece 0 and check its SHA-1.
 */
import { randomBytes } from 'node:crypto';
import { decodeAt, encode, type Bencoded } from './bencode.js';
import type { Channel } from './client-connection.js';
import { sha1 } from './wire-crypto.js';

const BLOCK_BYTES = 16 * 1024;
const OUR_UT_METADATA_ID = 1;
const ID = { choke: 0, unchoke: 1, interested: 2, have: 4, bitfield: 5, request: 6, piece: 7, haveAll: 0x0e, reject: 0x10, extended: 20 } as const;

/** The BitTorrent byte stream on top of the channel's frames (messages may span frames). */
class BtStream {
  private buffered = Buffer.alloc(0);

  constructor(private readonly channel: Channel) {}

  async read(bytes: number): Promise<Buffer> {
    while (this.buffered.length < bytes) {
      const plaintext = await this.channel.receive();
      if (plaintext.length === 0) throw new Error('the sharer ended the link');
      this.buffered = Buffer.concat([this.buffered, plaintext]);
    }
    const out = this.buffered.subarray(0, bytes);
    this.buffered = this.buffered.subarray(bytes);
    return out;
  }

  async message(): Promise<{ id: number; body: Buffer } | undefined> {
    const length = (await this.read(4)).readUInt32BE(0);
    if (length === 0) return undefined; // keep-alive
    const message = await this.read(length);
    return { id: message[0]!, body: message.subarray(1) };
  }

  send(id: number, body: Uint8Array = Buffer.alloc(0)): void {
    const header = Buffer.alloc(5);
    header.writeUInt32BE(body.length + 1, 0);
    header[4] = id;
    this.channel.send(Buffer.concat([header, body]));
  }
}

const u32s = (...values: number[]) => Buffer.concat(values.map((v) => Buffer.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255])));

export interface FetchedPiece {
  info: { [key: string]: Bencoded };
  piece: Buffer;
  expectedHash: Buffer;
}

/** Runs the wire until piece 0 is in and verified; throws on a hash mismatch. Bounded by `maxMessages`. */
export async function fetchFirstPiece(channel: Channel, infoHash: Buffer, maxMessages = 10_000): Promise<FetchedPiece> {
  const bt = new BtStream(channel);
  const reserved = Buffer.alloc(8);
  reserved[5] = 0x10; // BEP 10 extension protocol
  reserved[7] = 0x04; // BEP 6 fast extension
  channel.send(Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), reserved, infoHash, randomBytes(20)]));
  const theirs = await bt.read(68);
  if (!theirs.subarray(28, 48).equals(infoHash)) throw new Error('the sharer answered for another infohash');
  bt.send(ID.extended, Buffer.concat([Buffer.from([0]), encode({ m: { ut_metadata: OUR_UT_METADATA_ID } })]));
  bt.send(ID.interested);

  let metadataSize = 0;
  const metadataPieces: Buffer[] = [];
  let info: { [key: string]: Bencoded } | undefined;
  let isUnchoked = false;
  let hasPiece0 = false;
  let requested = false;
  const blocks = new Map<number, Buffer>();
  for (let count = 0; count < maxMessages; count++) {
    const message = await bt.message();
    if (!message) continue;
    const { id, body } = message;
    if (id === ID.extended && body[0] === 0) {
      const handshake = decodeAt(body, 1).value as { m: { ut_metadata?: number }; metadata_size?: number };
      metadataSize = handshake.metadata_size ?? 0;
      const theirMetadataId = handshake.m.ut_metadata;
      if (!theirMetadataId || !metadataSize) throw new Error('the sharer offers no ut_metadata');
      for (let piece = 0; piece * BLOCK_BYTES < metadataSize; piece++) bt.send(ID.extended, Buffer.concat([Buffer.from([theirMetadataId]), encode({ msg_type: 0, piece })]));
    } else if (id === ID.extended && body[0] === OUR_UT_METADATA_ID) {
      const { value, end } = decodeAt(body, 1);
      const reply = value as { msg_type: number; piece: number };
      if (reply.msg_type !== 1) throw new Error(`ut_metadata reply type ${reply.msg_type}`);
      metadataPieces[reply.piece] = body.subarray(end);
      const metadata = Buffer.concat(metadataPieces.filter(Boolean));
      if (metadata.length === metadataSize) {
        if (!sha1(metadata).equals(infoHash)) throw new Error('metadata does not hash to the infohash');
        info = decodeAt(metadata).value as { [key: string]: Bencoded };
      }
    } else if (id === ID.unchoke) isUnchoked = true;
    else if (id === ID.choke) isUnchoked = false;
    else if (id === ID.haveAll) hasPiece0 = true;
    else if (id === ID.have && body.readUInt32BE(0) === 0) hasPiece0 = true;
    else if (id === ID.bitfield && (body[0]! & 0x80) !== 0) hasPiece0 = true;
    else if (id === ID.reject) throw new Error('the sharer rejected a request');
    else if (id === ID.piece && body.readUInt32BE(0) === 0) blocks.set(body.readUInt32BE(4), body.subarray(8));

    if (info && isUnchoked && hasPiece0 && !requested) {
      requested = true;
      const pieceBytes = Math.min(info['piece length'] as number, totalLength(info));
      for (let begin = 0; begin < pieceBytes; begin += BLOCK_BYTES) bt.send(ID.request, u32s(0, begin, Math.min(BLOCK_BYTES, pieceBytes - begin)));
    }
    const got = [...blocks.values()].reduce((sum, block) => sum + block.length, 0);
    if (info && requested && got === Math.min(info['piece length'] as number, totalLength(info))) {
      const piece = Buffer.concat([...blocks.keys()].sort((a, b) => a - b).map((begin) => blocks.get(begin)!));
      const expectedHash = (info.pieces as Buffer).subarray(0, 20);
      if (!sha1(piece).equals(expectedHash)) throw new Error('piece 0 fails its SHA-1');
      return { info, piece, expectedHash };
    }
  }
  throw new Error(`no verified piece after ${maxMessages} messages`);
}

function totalLength(info: { [key: string]: Bencoded }): number {
  if (typeof info.length === 'number') return info.length;
  return (info.files as { length: number }[]).reduce((sum, file) => sum + file.length, 0);
}
