// A small write held to share a frame (link-duplex.ts) and a close in the same turn: a
// getter that is done writes its last `have` and closes its links at once. The write must
// reach the peer before the end frame; held, it went out after the end and was dropped, so
// the sharer never saw the getter finish ("bob left (had 98%)"). Real SecureChannels over TCP.
import { describe, expect, it } from 'vitest';
import { createPeerLink } from '../../src/net/peer-link.js';
import { createLinkDuplex } from '../../src/share/link-duplex.js';
import { tcpChannelPair } from '../helpers/tcp-channel-pair.js';

describe('link duplex: small writes held for coalescing', () => {
  it('a write and a close in the same turn: the peer reads the write, then the end', async () => {
    const [alice, bob] = await tcpChannelPair();
    const link = createPeerLink(alice, '127.0.0.1', 0);
    const duplex = createLinkDuplex(link);
    const received: Buffer[] = [];
    bob.stream.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => bob.stream.once('end', () => resolve()));
    const have = Buffer.from([0, 0, 0, 5, 4, 0, 0, 0, 60]); // BitTorrent `have` for piece 60
    duplex.write(have);
    link.close();
    await ended;
    expect(Buffer.concat(received)).toEqual(have);
  });
});
