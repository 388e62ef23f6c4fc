// ChatLink over an in-memory stream (unit level: framing, batching, backpressure).
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { ChatLink, MAX_QUEUED_BYTES } from '../../src/chat/chat-link.js';
import { encodeMessageRecord, MAX_RECORD_BYTES, type ChatRecord } from '../../src/chat/chat-record-codec.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import type { StreamxDuplex } from '../../src/secure/streamx-duplex.js';

/**
 * A stream that records writes and reports "full" once `capacity` bytes are buffered: a
 * socket cannot be made to report "full" at an exact byte count, which these tests need.
 */
class FakeStream extends EventEmitter implements StreamxDuplex {
  writes: Buffer[] = [];
  buffered = 0;
  destroyed = false;
  destroyError?: Error;
  readonly destroying = false;
  constructor(private readonly capacity = Infinity) {
    super();
  }
  push(): boolean {
    return true;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  write(chunk: Uint8Array): boolean {
    this.writes.push(Buffer.from(chunk));
    this.buffered += chunk.length;
    return this.buffered < this.capacity;
  }
  drainAll(): void {
    this.buffered = 0;
    this.emit('drain');
  }
  end(): this {
    return this;
  }
  destroy(error?: Error): void {
    this.destroyed = true;
    this.destroyError = error ?? new Error('destroyed');
    this.emit('close');
  }
}

function linkOver(stream: FakeStream) {
  const records: ChatRecord[] = [];
  let closedWith: Error | undefined | null = null;
  const peer: PeerLink = {
    remoteKey: new Uint8Array(32),
    remoteKeyText: 'swarm1test',
    channel: 'chat',
    remoteHost: '127.0.0.1',
    remotePort: 1,
    isInitiator: true,
    stream,
    close: () => stream.destroy(),
    closeError: () => stream.destroyError,
    probe: async () => true,
  };
  const link = new ChatLink(peer, { onRecord: (_l, r) => records.push(r), onClose: (_l, reason) => (closedWith = reason) });
  return { link, records, closed: () => closedWith };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('chat link', () => {
  it('sends the records of one tick in one write', async () => {
    const stream = new FakeStream();
    const { link } = linkOver(stream);
    for (let i = 0; i < 50; i++) link.send(encodeMessageRecord(8, Buffer.from(`m${i}`)));
    expect(stream.writes).toHaveLength(0);
    await tick();
    expect(stream.writes).toHaveLength(1);
  });

  it('holds records while the stream is full and sends them, in order, on drain', async () => {
    const stream = new FakeStream(100_000);
    const { link } = linkOver(stream);
    const records = Array.from({ length: 40 }, (_, i) => encodeMessageRecord(8, Buffer.alloc(MAX_RECORD_BYTES - 2, i)));
    for (const record of records) link.send(record);
    await tick();
    const writtenBeforeDrain = Buffer.concat(stream.writes).length;
    expect(writtenBeforeDrain).toBeLessThan(records.length * records[0]!.length);
    stream.drainAll();
    while (Buffer.concat(stream.writes).length < records.length * records[0]!.length) {
      stream.drainAll();
      await tick();
    }
    expect(Buffer.concat(stream.writes).equals(Buffer.concat(records))).toBe(true);
  });

  it('drops a peer that stops reading instead of queueing without bound', () => {
    const stream = new FakeStream(1);
    const { link, closed } = linkOver(stream);
    const record = encodeMessageRecord(8, Buffer.alloc(8000));
    for (let i = 0; i * record.length <= 2 * MAX_QUEUED_BYTES && !link.isClosed; i++) link.send(record);
    expect(link.isClosed).toBe(true);
    expect(stream.destroyError?.message).toMatch(/not reading/);
    expect(closed()?.message).toMatch(/not reading/);
  });

  it('ends the link on a framing violation', () => {
    const stream = new FakeStream();
    const { link, closed } = linkOver(stream);
    stream.emit('data', Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(link.isClosed).toBe(true);
    expect(closed()?.message).toMatch(/outside/);
  });
});

describe('chat link on a stream that already closed', () => {
  it('ends at once instead of waiting for a close event that will not come', async () => {
    const stream = new FakeStream();
    stream.destroyed = true;
    const { link, closed } = linkOver(stream);
    expect(link.isClosed).toBe(false); // the caller gets to register it first
    await Promise.resolve();
    expect(link.isClosed).toBe(true);
    expect(closed()).toBeUndefined();
  });
});
