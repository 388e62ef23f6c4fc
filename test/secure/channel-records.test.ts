// docs/protocol.md "Connections" sections 7 and 9, at the SecureChannel level: the
// responder's record is one whole frame, nothing behind REFUSE is delivered, data right
// behind ACCEPT is, and nothing may follow an end frame.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecureChannel } from '../../src/secure/secure-channel.js';
import { DATA_TYPE_PREFIX } from '../../src/secure/frame-types.js';
import { encodeAccept, encodeRefuse, type SessionRecord } from '../../src/secure/session-records.js';
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
  it('an initiator delivers nothing that follows REFUSE: the connection is closed', async () => {
    const t = channelWithPeer(true);
    t.start();
    t.peer.write(Buffer.concat([t.peerSealer.seal(encodeRefuse('busy: try later')), t.peerSealer.seal(data('after the refusal'))]));
    expect(await t.received.closed).toMatchObject({ code: 'BAD_HANDSHAKE', message: expect.stringMatching(/data before the channel was accepted/) });
    expect(t.records).toEqual([{ type: 'refuse', reason: 'busy: try later' }]);
    expect(t.received.bytes()).toBe(0);
  });

  it('an initiator refuses a first record that is neither ACCEPT nor REFUSE (0x01 was v1\'s OPEN)', async () => {
    const t = channelWithPeer(true);
    t.start();
    t.peer.write(Buffer.concat([t.peerSealer.seal(Buffer.from('\x01chat')), t.peerSealer.seal(data('data'))]));
    expect(await t.received.closed).toMatchObject({ code: 'BAD_HANDSHAKE', message: expect.stringMatching(/unexpected first transport message/) });
    expect(t.records).toEqual([]);
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
