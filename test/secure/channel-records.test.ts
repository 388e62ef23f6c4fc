// docs/protocol.md "Connections" sections 7 and 9, at the SecureChannel level (any handshake
// version): a record is one whole frame, application bytes before the answer are refused,
// data right behind ACCEPT is delivered, and nothing may follow an end frame.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecureChannel } from '../../src/secure/secure-channel.js';
import { DATA_TYPE_PREFIX } from '../../src/secure/frame-types.js';
import { encodeAccept, encodeOpen, type SessionRecord } from '../../src/secure/session-records.js';
import { FrameOpener, FrameSealer } from '../../src/secure/transport-cipher.js';
import { collect, duplexPair } from '../helpers/duplex-pair.js';

/** A SecureChannel on one end of a pipe, and a hand-driven peer (raw socket + its sealer) on the other. */
/** A DATA frame's plaintext after the opening record: the type byte, then application bytes (section 7). */
const data = (text: string) => Buffer.concat([DATA_TYPE_PREFIX, Buffer.from(text)]);

function channelWithPeer(isInitiator: boolean) {
  const [ours, theirs] = duplexPair();
  const toUs = randomBytes(32);
  const fromUs = randomBytes(32);
  const channel = new SecureChannel(ours, { remoteKey: randomBytes(32), sealer: new FrameSealer(fromUs), opener: new FrameOpener(toUs), handshakeHash: randomBytes(32) }, { isInitiator });
  const records: SessionRecord[] = [];
  const received = collect(channel.stream);
  return { channel, peer: theirs, peerSealer: new FrameSealer(toUs), records, received, start: () => channel.start(Buffer.alloc(0), (record) => records.push(record)) };
}

describe('session records and application bytes', () => {
  it('a responder closes the connection on data sent behind OPEN, before its answer, and delivers none of it', async () => {
    const t = channelWithPeer(false);
    t.start();
    t.peer.write(Buffer.concat([t.peerSealer.seal(encodeOpen('chat')), t.peerSealer.seal(Buffer.from('too early'))]));
    expect(await t.received.closed).toMatchObject({ code: 'BAD_HANDSHAKE', message: expect.stringMatching(/data before the channel was accepted/) });
    expect(t.records).toEqual([{ type: 'open', channel: 'chat' }]);
    expect(t.received.bytes()).toBe(0);
  });

  it('an initiator delivers data that arrives in the same chunk as ACCEPT', async () => {
    const t = channelWithPeer(true);
    t.start();
    t.peer.write(Buffer.concat([t.peerSealer.seal(encodeAccept()), t.peerSealer.seal(data('right behind'))]));
    await t.received.untilBytes(12);
    expect(t.records).toEqual([{ type: 'accept' }]);
    expect(t.received.text()).toBe('right behind');
    t.channel.close();
  });

  it("a frame after the peer's end frame is a violation: the link fails with BAD_FRAME", async () => {
    const t = channelWithPeer(true);
    t.start();
    t.peer.write(Buffer.concat([t.peerSealer.seal(encodeAccept()), t.peerSealer.seal(data('data'))]));
    await t.received.untilBytes(4);
    t.peer.write(Buffer.concat([t.peerSealer.seal(), t.peerSealer.seal(data('after the end'))]));
    expect(await t.received.closed).toMatchObject({ code: 'BAD_FRAME' });
    expect(t.received.text()).toBe('data');
  });
});
