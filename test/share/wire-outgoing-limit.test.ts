/**
 * Read backpressure on a real bittorrent-protocol wire: a peer that keeps sending and never
 * reads must not grow our outgoing buffer without bound. The peer (a stream of its bytes,
 * pulled only as fast as the wire takes them) sends 1,000,000 requests while we choke it;
 * each gets a BEP 6 reject (17 bytes) into a link that accepts nothing. Before
 * wire-outgoing-limit.ts the wire parsed every byte at once and queued all 17 MB of rejects;
 * now it stops taking the peer's bytes once READ_PAUSE_HIGH_WATER_BYTES wait.
 * (End to end over the secure link: test/e2e/share-flood.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import Wire from 'bittorrent-protocol';
import { describe, expect, it } from 'vitest';
import { limitWireOutgoing, READ_PAUSE_HIGH_WATER_BYTES } from '../../src/share/wire-outgoing-limit.js';
import { limitWireRequests } from '../../src/share/wire-request-limit.js';

const REQUESTS = 1_000_000;
const REQUESTS_PER_CHUNK = 1000;
const INFO_HASH = randomBytes(20);

function requestChunk(first: number): Buffer {
  const buffer = Buffer.alloc(17 * REQUESTS_PER_CHUNK);
  for (let i = 0; i < REQUESTS_PER_CHUNK; i++) {
    buffer.writeUInt32BE(13, 17 * i);
    buffer[17 * i + 4] = 6;
    buffer.writeUInt32BE((first + i) % 1000, 17 * i + 5);
    buffer.writeUInt32BE(16384, 17 * i + 13);
  }
  return buffer;
}

describe('wire outgoing limit', () => {
  it('stops taking bytes from a peer that never reads, once its answers back up', async () => {
    await limitWireRequests(); // the process-wide patches swarm runs with
    await limitWireOutgoing();
    const wire = new Wire() as unknown as NodeJS.ReadWriteStream & { hasFast: boolean; _readableState: { buffered: number } };
    let takenRequests = 0;
    const reserved = Buffer.alloc(8);
    reserved[7] = 0x04; // fast extension: requests while choked are rejected, one message each
    const peerBytes = Readable.from(
      (function* () {
        yield Buffer.concat([Buffer.from('\x13BitTorrent protocol', 'latin1'), reserved, INFO_HASH, randomBytes(20)]);
        for (; takenRequests < REQUESTS; takenRequests += REQUESTS_PER_CHUNK) yield requestChunk(takenRequests);
      })(),
      { objectMode: false, highWaterMark: 16 * 1024 },
    );
    const linkNobodyReads = new Writable({ highWaterMark: 64 * 1024, write() {} }); // never calls back
    wire.on('handshake', () => (wire as unknown as { handshake(i: Buffer, p: Buffer, e: object): void }).handshake(INFO_HASH, randomBytes(20), { fast: true }));
    peerBytes.pipe(wire as never);
    (wire as unknown as Readable).pipe(linkNobodyReads);

    // Until the wire stops taking the peer's bytes, or has taken them all (at most 20 s).
    let last = -1;
    for (let waitedMs = 0; waitedMs < 20_000 && takenRequests < REQUESTS && takenRequests !== last; waitedMs += 300) {
      last = takenRequests;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(wire.hasFast).toBe(true);
    expect(takenRequests).toBeLessThan(REQUESTS / 2);
    // Past the mark, at most what is already between the peer and the parser is answered.
    expect(wire._readableState.buffered).toBeLessThan(READ_PAUSE_HIGH_WATER_BYTES + 256 * 1024);
    expect(wire._readableState.buffered).toBeGreaterThan(READ_PAUSE_HIGH_WATER_BYTES / 2); // it did answer until then
  }, 30_000);
});
