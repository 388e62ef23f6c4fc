// How a secure channel packs writes into frames and hands frames to its reader (issue 10,
// CPU per byte): over a real TCP connection on loopback, BitTorrent-like writes (a 13-byte
// piece header, then its 16 KiB block) must reach the reader as one chunk per frame with
// every chunk holding whole header+block pairs, so bittorrent-protocol parses them as views
// instead of copying each chunk onto the unparsed rest of the previous one.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../src/secure/frame-codec.js';
import { FrameOpener, FrameSealer, MAX_PLAINTEXT_BYTES } from '../../src/secure/transport-cipher.js';
import { collect } from '../helpers/duplex-pair.js';
import { tcpChannelPair } from '../helpers/tcp-channel-pair.js';

const HEADER_BYTES = 13;
const BLOCK_BYTES = 16 * 1024;
const PAIR_BYTES = HEADER_BYTES + BLOCK_BYTES;


function pieceMessage(index: number): [Buffer, Buffer] {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(9 + BLOCK_BYTES, 0);
  header[4] = 7;
  header.writeUInt32BE(index, 5);
  return [header, randomBytes(BLOCK_BYTES)];
}

describe('frame packing', () => {
  it('over TCP, piece headers stay with their blocks: the reader gets one chunk per frame, each whole messages', async () => {
    const [client, server] = await tcpChannelPair();
    const received = collect(server.stream);
    const messages = Array.from({ length: 64 }, (_, index) => pieceMessage(index));
    // Written in one turn, as bittorrent-protocol writes a burst of pieces: one batch.
    for (const [header, block] of messages) {
      client.stream.write(header);
      client.stream.write(block);
    }
    const sent = Buffer.concat(messages.flat());
    await received.untilBytes(sent.length);
    expect(Buffer.concat(received.data).equals(sent)).toBe(true);
    // Socket reads split frames anywhere; each chunk must still be whole header+block pairs.
    expect(received.data.length).toBeGreaterThan(1);
    for (const chunk of received.data) {
      expect(chunk.length % PAIR_BYTES).toBe(0);
      expect(chunk.length).toBeLessThanOrEqual(MAX_PLAINTEXT_BYTES - 1);
    }
    client.close();
  });

  it('a write larger than a frame is still split across frames and arrives whole', async () => {
    const [client, server] = await tcpChannelPair();
    const received = collect(server.stream);
    const big = randomBytes(3 * MAX_PLAINTEXT_BYTES + 5);
    client.stream.write(Buffer.from('x'));
    client.stream.write(big);
    await received.untilBytes(big.length + 1);
    expect(Buffer.concat(received.data).equals(Buffer.concat([Buffer.from('x'), big]))).toBe(true);
    client.close();
  });
});

describe('FrameOpener.openParts', () => {
  const key = randomBytes(32);

  it('returns one plaintext buffer per frame however the frame was split, and refuses a changed byte', () => {
    const sealer = new FrameSealer(key);
    const opener = new FrameOpener(key);
    const parts = [Buffer.from([0]), randomBytes(HEADER_BYTES), randomBytes(BLOCK_BYTES), randomBytes(HEADER_BYTES), randomBytes(BLOCK_BYTES)];
    const wire = Buffer.concat([sealer.seal(...parts), sealer.seal(...parts)]);
    const decoder = new FrameDecoder();
    const frames: Buffer[][] = [];
    // Cut at odd places: inside the length header, the ciphertext and the tag.
    for (const cut of [[0, 1], [1, 5000], [5000, 32_790], [32_790, 32_800], [32_800, wire.length]]) frames.push(...decoder.pushParts(wire.subarray(cut[0], cut[1])));
    expect(frames.length).toBe(2);
    expect(frames.some((frame) => frame.length > 1)).toBe(true);
    for (const frame of frames) {
      const plaintext = opener.openParts(frame);
      expect(plaintext.length).toBe(1);
      expect(plaintext[0]!.equals(Buffer.concat(parts))).toBe(true);
    }
    const tampered = Buffer.from(sealer.seal(...parts));
    tampered[100]! ^= 1;
    expect(() => opener.openParts(new FrameDecoder().pushParts(tampered)[0]!)).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }));
  });
});
