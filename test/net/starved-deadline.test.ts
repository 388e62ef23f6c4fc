// A process starved past its handshake deadline (two cores shared by many nodes) must not
// call an answer that had already arrived "no answer": the deadline counts the bytes that
// were waiting when it fired. Real TCP on 127.0.0.1; the starvation is a synchronous busy
// wait in this process while the answer sits in the dialler's receive buffer.
import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { createNodes } from '../helpers/test-nodes.js';

const HANDSHAKE_TIMEOUT_MS = 300;

function busyWait(ms: number): void {
  const endAt = Date.now() + ms;
  while (Date.now() < endAt) {
    // Starving the event loop is the point.
  }
}

describe('handshake deadline after a starved event loop', () => {
  it('an answer that arrived before the deadline fired is read, not timed out', async () => {
    const [a, b] = await createNodes(2, { node: { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS } });
    const inbound: PeerLink[] = [];
    a!.node.handle('chat', (link) => {
      inbound.push(link);
      // After the answer is written: block this process past the dialler's deadline.
      setImmediate(() => busyWait(HANDSHAKE_TIMEOUT_MS * 2));
    });
    const link = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey });
    expect(inbound).toHaveLength(1);
    expect(Buffer.from(link.remoteKey).equals(Buffer.from(a!.identity.publicKey))).toBe(true);
  });

  it('a peer that never answers still times out', async () => {
    const [a, b] = await createNodes(2, { node: { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS } });
    a!.trust.remove(b!.identity);
    a!.node.handle('chat', () => true);
    await expect(b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey })).rejects.toMatchObject({ code: 'NO_ANSWER' });
  });
});
