// The pool behind served blocks and received pieces (issue 10, CPU per byte): buffers are
// recycled, and no mistaken release (twice, a view, a foreign buffer) can ever hand one
// buffer to two users. Over a real TCP secure channel, a pooled block written to the stream
// goes back to the pool once sealed, and overwriting it then cannot change what was sent.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BufferPool, servedBlocks } from '../../src/secure/buffer-pool.js';
import { collect } from '../helpers/duplex-pair.js';
import { tcpChannelPair } from '../helpers/tcp-channel-pair.js';


describe('BufferPool', () => {
  it('recycles a released buffer, and keeps at most its cap free', () => {
    const pool = new BufferPool(1024, 2);
    const [a, b, c] = [pool.take(), pool.take(), pool.take()];
    expect(a.length).toBe(1024);
    expect(a.buffer.byteLength).toBe(1024); // its own memory, never a view into another pool
    pool.release(a);
    pool.release(b);
    pool.release(c);
    expect(pool.freeCount).toBe(2);
    const again = [pool.take(), pool.take()];
    expect(again).toContain(a);
    expect(again).toContain(b);
    expect(pool.take()).not.toBe(c);
  });

  it('ignores a second release, a view and a foreign buffer: nothing is lent twice', () => {
    const pool = new BufferPool(1024, 8);
    const a = pool.take();
    pool.release(a);
    pool.release(a);
    pool.release(a.subarray(0, 512));
    pool.release(Buffer.alloc(1024));
    expect(pool.freeCount).toBe(1);
    const first = pool.take();
    const second = pool.take();
    expect(first).toBe(a);
    expect(second).not.toBe(a);
  });

  it('over TCP, a served block goes back to the pool once sealed; what was sent keeps its bytes', async () => {
    const [client, server] = await tcpChannelPair();
    const received = collect(server.stream);
    const contents = Array.from({ length: 8 }, () => randomBytes(servedBlocks.bufferBytes));
    const blocks = contents.map((bytes) => {
      const block = servedBlocks.take();
      bytes.copy(block);
      return block;
    });
    const freeBefore = servedBlocks.freeCount;
    for (const block of blocks) client.stream.write(block);
    const sent = Buffer.concat(contents);
    // Back in the pool as soon as the batch is sealed, before the peer has read anything.
    await new Promise((resolve) => setImmediate(resolve));
    expect(servedBlocks.freeCount).toBe(freeBefore + blocks.length);
    for (const block of blocks) block.fill(0xee); // the next user overwrites them
    await received.untilBytes(sent.length);
    expect(Buffer.concat(received.data).equals(sent)).toBe(true);
    client.close();
  });
});
