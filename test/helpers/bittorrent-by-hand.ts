/**
 * Speaking BitTorrent by hand over a SwarmNode link, for tests of what a peer (trusted, but
 * hostile or buggy) can send: the 68-byte handshake, then length-prefixed messages, read
 * back as they arrive. No sleeps: waitFor resolves on the message itself.
 */
import bencode from 'bencode';
import { randomBytes } from 'node:crypto';
import { torrentChannel } from '../../src/net/channel-name.js';
import type { SwarmNode } from '../../src/net/swarm-node.js';
import type { StreamxDuplex } from '../../src/secure/streamx-duplex.js';

export interface WireMessage {
  id: number;
  payload: Buffer;
}

/** BEP 10: message 20, then the extension's id (0: the extended handshake). */
export const EXTENDED = 20;

/** BitTorrent messages as they arrive on a link, after the 68-byte handshake. */
export class MessageReader {
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

export function message(id: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length + 1, 0);
  header[4] = id;
  return Buffer.concat([header, payload]);
}

/** An extension message: its id as the peer numbered it, then the payload. */
export const extendedMessage = (extensionId: number, payload: Uint8Array): Buffer => message(EXTENDED, Buffer.concat([Buffer.from([extensionId]), payload]));

/** The peer's extended handshake (bencoded after id 0), once it has come. */
export async function peerExtendedHandshake(reader: MessageReader): Promise<{ m: Record<string, number>; metadata_size?: number }> {
  const handshake = await reader.waitFor((m) => m.id === EXTENDED && m.payload[0] === 0);
  return bencode.decode(handshake.payload.subarray(1)) as { m: Record<string, number>; metadata_size?: number };
}

/** Opens a link to host:port on the torrent's channel and completes the BitTorrent handshake by hand. */
export async function handshakenLink(node: SwarmNode, port: number, infoHash: string): Promise<{ stream: StreamxDuplex; reader: MessageReader }> {
  const stream = (await node.connect('127.0.0.1', port, torrentChannel(infoHash))).stream;
  const reserved = Buffer.alloc(8);
  reserved[5] = 0x10; // BEP 10 extensions
  stream.write(Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), reserved, Buffer.from(infoHash, 'hex'), randomBytes(20)]));
  const reader = new MessageReader(stream);
  await new Promise<void>((resolve, reject) => {
    stream.once('close', () => reject(new Error('no BitTorrent handshake from the peer')));
    stream.on('data', () => reader.hasHandshake && resolve());
  });
  return { stream, reader };
}
