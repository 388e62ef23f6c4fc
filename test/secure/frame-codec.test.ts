// The frame codec and transport ciphers as pure functions over bytes.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeFrameHeader, FrameDecoder } from '../../src/secure/frame-codec.js';
import { FrameOpener, FrameSealer, MAX_PLAINTEXT_BYTES } from '../../src/secure/transport-cipher.js';
import { checkPreamble, encodePreamble } from '../../src/secure/preamble.js';

describe('FrameDecoder', () => {
  it('reassembles frames from 1-byte chunks and from one big chunk', () => {
    const bodies = [Buffer.from('a'), Buffer.alloc(0), randomBytes(70_000).subarray(0, 65_535), Buffer.from('tail')];
    const wire = Buffer.concat(bodies.map((body) => encodeFrame(body)));
    const oneByOne = new FrameDecoder();
    const fromBytes: Buffer[] = [];
    for (let i = 0; i < wire.length; i++) fromBytes.push(...oneByOne.push(wire.subarray(i, i + 1)));
    expect(fromBytes.map((b) => b.toString('hex'))).toEqual(bodies.map((b) => b.toString('hex')));
    expect(new FrameDecoder().push(wire).map((b) => b.toString('hex'))).toEqual(bodies.map((b) => b.toString('hex')));
  });

  it('refuses an oversized frame from its header alone', () => {
    const decoder = new FrameDecoder(1024);
    expect(() => decoder.push(encodeFrameHeader(1025))).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(() => encodeFrameHeader(65_536)).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });
});

describe('FrameSealer / FrameOpener', () => {
  const key = randomBytes(32);

  it('round-trips and refuses a plaintext above the Noise maximum', () => {
    const sealer = new FrameSealer(key);
    const opener = new FrameOpener(key);
    const frame = sealer.seal(Buffer.from('hello '), Buffer.from('world'));
    expect(frame.readUInt16BE(0)).toBe(frame.length - 2);
    expect(opener.open(frame.subarray(2)).toString()).toBe('hello world');
    expect(sealer.seal(Buffer.alloc(MAX_PLAINTEXT_BYTES)).length).toBe(65_537);
    expect(() => sealer.seal(Buffer.alloc(MAX_PLAINTEXT_BYTES + 1))).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });

  it('refuses a flipped bit, a replay and a reordering', () => {
    const sealer = new FrameSealer(key);
    const [first, second] = [sealer.seal(Buffer.from('one')).subarray(2), sealer.seal(Buffer.from('two')).subarray(2)];
    const flipped = Buffer.from(first);
    flipped[0]! ^= 1;
    expect(() => new FrameOpener(key).open(flipped)).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }));
    const replay = new FrameOpener(key);
    expect(replay.open(first).toString()).toBe('one');
    expect(() => replay.open(first)).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }));
    expect(() => new FrameOpener(key).open(second)).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }));
  });
});

describe('preamble', () => {
  it('explains a version mismatch and a non-swarm peer', () => {
    expect(() => checkPreamble(encodePreamble())).not.toThrow();
    expect(() => checkPreamble(encodePreamble(2))).toThrow(/speaks swarm protocol version 2; this node speaks version 1/);
    expect(() => checkPreamble(Buffer.from('GET / '))).toThrow(/not a swarm node/);
  });
});
