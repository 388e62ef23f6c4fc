// A peer with a link (a SwarmNode link on the torrent's channel, over which the test
// speaks BitTorrent by hand) announces a message far larger than any swarm peer sends: the sharer must
// drop the connection instead of buffering it, and go on serving a peer that behaves.
// No sleeps: every step waits for an event (a close, a metadata reply).
import bencode from 'bencode';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { torrentChannel } from '../../src/net/channel-name.js';
import type { StreamxDuplex } from '../../src/secure/streamx-duplex.js';
import { startShare } from '../../src/share/share-session.js';
import { MAX_WIRE_MESSAGE_BYTES } from '../../src/share/wire-message-limit.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeNode, onTeardown } from './share-node-fixture.js';

/** Our ut_metadata id in the extended handshake we send (BEP 9/10). */
const OUR_UT_METADATA = 3;

interface WireMessage {
  id: number;
  payload: Buffer;
}

/** BitTorrent messages as they arrive on a link, after the 68-byte handshake. */
class MessageReader {
  private buffered = Buffer.alloc(0);
  private isPastHandshake = false;
  readonly messages: WireMessage[] = [];
  private waiters: (() => void)[] = [];

  constructor(stream: StreamxDuplex) {
    stream.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    if (!this.isPastHandshake) {
      if (this.buffered.length < 68) return;
      if (!this.buffered.subarray(1, 20).equals(Buffer.from('BitTorrent protocol'))) throw new Error('not a BitTorrent handshake');
      this.buffered = this.buffered.subarray(68);
      this.isPastHandshake = true;
    }
    while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readUInt32BE(0)) {
      const length = this.buffered.readUInt32BE(0);
      if (length > 0) this.messages.push({ id: this.buffered[4]!, payload: this.buffered.subarray(5, 4 + length) });
      this.buffered = this.buffered.subarray(4 + length);
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The first message (seen or still to come) that matches. */
  async waitFor(match: (message: WireMessage) => boolean): Promise<WireMessage> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  get hasHandshake(): boolean {
    return this.isPastHandshake;
  }
}

function message(id: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length + 1, 0);
  header[4] = id;
  return Buffer.concat([header, payload]);
}

async function shareSmallFile() {
  const path = join(tempDir(), 'small.bin');
  writeFileSync(path, randomBytes(300_000));
  const node = await makeNode();
  const session = await startShare({
    node: node.node, router: node.router, ownKeyText: node.keyText, advertisedAddresses: [{ host: node.host, port: node.port }],
    listenPort: node.port, path, isAllowed: () => true,
  });
  onTeardown(() => session.close());
  return { node, infoHash: session.infoHash };
}

/** Opens a link to the sharer from a trusted node and completes the BitTorrent handshake by hand. */
async function handshakenLink(port: number, infoHash: string): Promise<{ stream: StreamxDuplex; reader: MessageReader }> {
  const { node } = await makeNode();
  const stream = (await node.connect('127.0.0.1', port, torrentChannel(infoHash))).stream;
  const reserved = Buffer.alloc(8);
  reserved[5] = 0x10; // BEP 10 extensions
  stream.write(Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), reserved, Buffer.from(infoHash, 'hex'), randomBytes(20)]));
  const reader = new MessageReader(stream);
  await new Promise<void>((resolve, reject) => {
    stream.once('close', () => reject(new Error('no BitTorrent handshake from the sharer')));
    stream.on('data', () => reader.hasHandshake && resolve());
  });
  return { stream, reader };
}

describe('BitTorrent message length limit', () => {
  it('drops a peer that announces an oversized message, and still serves one that does not', async () => {
    const { node, infoHash } = await shareSmallFile();

    const polite = await handshakenLink(node.port, infoHash);
    const keepAlive = Buffer.alloc(4); // length 0
    polite.stream.write(keepAlive);

    const greedy = await handshakenLink(node.port, infoHash);
    greedy.stream.on('error', () => {});
    const closed = new Promise<void>((resolve) => greedy.stream.once('close', () => resolve()));
    const header = Buffer.alloc(5);
    header.writeUInt32BE(MAX_WIRE_MESSAGE_BYTES + 1, 0);
    header[4] = 7; // "piece"
    greedy.stream.write(header);
    // Some of the announced body: a sharer without the limit would buffer it and wait for more.
    for (let sent = 0; sent < 16; sent++) greedy.stream.write(Buffer.alloc(64 * 1024));
    await closed;
    expect(greedy.stream.destroyed).toBe(true);

    // The polite peer is still served after the greedy one was dropped: its metadata request
    // (sent only now) is answered. A dropped polite link would close instead of answering.
    const sharerHandshake = await polite.reader.waitFor((m) => m.id === 20 && m.payload[0] === 0);
    const theirUtMetadata = (bencode.decode(sharerHandshake.payload.subarray(1)) as { m: { ut_metadata: number } }).m.ut_metadata;
    expect(theirUtMetadata).toBeGreaterThan(0);
    polite.stream.write(message(20, Buffer.concat([Buffer.from([0]), bencode.encode({ m: { ut_metadata: OUR_UT_METADATA } })])));
    polite.stream.write(message(20, Buffer.concat([Buffer.from([theirUtMetadata]), bencode.encode({ msg_type: 0, piece: 0 })])));
    const reply = await Promise.race([
      polite.reader.waitFor((m) => m.id === 20 && m.payload[0] === OUR_UT_METADATA),
      new Promise<never>((_, reject) => polite.stream.once('close', () => reject(new Error('the polite peer was dropped')))),
    ]);
    expect(reply.payload.includes(Buffer.from('8:msg_typei1e'))).toBe(true); // "data", not "reject"
    expect(polite.stream.destroyed).toBe(false);
  });
});
