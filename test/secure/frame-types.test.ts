// The type byte of every frame after the opening records: data loses exactly its first
// byte (wherever the frame was split into pieces), PING and ALIVE carry nothing, and
// anything else ends the link (BAD_FRAME) rather than being guessed at.
import { describe, expect, it } from 'vitest';
import { FrameType, readTypedFrame } from '../../src/secure/frame-types.js';

const b = (...bytes: number[]) => Buffer.from(bytes);

describe('typed frames', () => {
  it('data: the type byte is dropped, the rest kept in order, whatever the piece boundaries', () => {
    expect(readTypedFrame([b(0, 1, 2, 3)])).toEqual({ data: [b(1, 2, 3)] });
    expect(readTypedFrame([b(0), b(1, 2), b(3)])).toEqual({ data: [b(1, 2), b(3)] });
    expect(readTypedFrame([b(0, 1), b(2)])).toEqual({ data: [b(1), b(2)] });
    expect(readTypedFrame([b(0)])).toEqual({ data: [] });
  });

  it('PING and ALIVE are control frames without a body', () => {
    expect(readTypedFrame([b(FrameType.ping)])).toEqual({ control: FrameType.ping });
    expect(readTypedFrame([b(FrameType.alive)])).toEqual({ control: FrameType.alive });
  });

  it('a control frame with a body, or an unknown type, is BAD_FRAME', () => {
    for (const pieces of [[b(FrameType.ping, 0)], [b(FrameType.alive), b(9)], [b(3)], [b(0xff, 1, 2)]]) {
      expect(() => readTypedFrame(pieces)).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }));
    }
  });
});
