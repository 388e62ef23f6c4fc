// A chat line sent just before the link is closed (/quit right after typing) reaches the
// peer: two SwarmNodes over real TCP on 127.0.0.1, a ChatLink at each end.
import { describe, expect, it } from 'vitest';
import { ChatLink } from '../../src/chat/chat-link.js';
import { encodeMessageRecord, type ChatRecord } from '../../src/chat/chat-record-codec.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

describe('chat link closed right after a send', () => {
  it('the last records arrive before the link ends', async () => {
    const [a, b] = await createNodes(2);
    const inbound: PeerLink[] = [];
    a!.node.handle('chat', (link) => void inbound.push(link));
    const peer = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey });
    await waitFor(() => inbound.length === 1);
    const received: ChatRecord[] = [];
    let farClosed = false;
    new ChatLink(inbound[0]!, { onRecord: (_link, record) => received.push(record), onClose: () => (farClosed = true) });
    const near = new ChatLink(peer, { onRecord: () => {}, onClose: () => {} });
    for (let i = 0; i < 3; i++) near.send(encodeMessageRecord(8, Buffer.from(`line ${i}`)));
    near.close();
    await waitFor(() => farClosed, 5000, 'the far end closed');
    expect(received).toHaveLength(3);
  });
});
