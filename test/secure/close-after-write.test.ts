// Closing a link delivers what was written to it just before: the end frame follows the
// writes still queued in the stream, over real TCP on 127.0.0.1 (a chat line flushed right
// before /quit, a relay's last bytes before the end it passes on).
import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

async function pair() {
  const [a, b] = await createNodes(2);
  const inbound: PeerLink[] = [];
  a!.node.handle('chat', (link) => void inbound.push(link));
  const link = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey });
  await waitFor(() => inbound.length === 1);
  const got: Buffer[] = [];
  const far = inbound[0]!;
  far.stream.on('data', (chunk: Buffer) => got.push(chunk));
  const closed = new Promise<void>((resolve) => far.stream.once('close', () => resolve()));
  return { link, far, received: async () => (await closed, Buffer.concat(got)) };
}

describe('close after write', () => {
  it('bytes written just before close() arrive, then the link closes cleanly', async () => {
    const p = await pair();
    const payload = Buffer.alloc(300_000, 5);
    p.link.stream.write(payload.subarray(0, 1000));
    p.link.stream.write(payload.subarray(1000));
    p.link.close();
    expect((await p.received()).equals(payload)).toBe(true);
    expect(p.far.closeError()).toBeUndefined();
    expect(p.link.closeError()).toBeUndefined();
  });

  it('a close with nothing queued still ends at once', async () => {
    const p = await pair();
    p.link.close();
    expect((await p.received()).length).toBe(0);
    expect(p.link.stream.destroyed || p.link.stream.destroying).toBe(true);
  });
});
