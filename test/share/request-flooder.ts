/**
 * A hostile but trusted getter: it opens the "torrent <infohash>" channel with the real
 * SwarmNode (Noise handshake, its own trusted key), then speaks raw BitTorrent over it:
 * handshake, waits for the sharer's piece announcement, `interested`, waits for `unchoke`,
 * and from then on never reads another byte while it sends `request`s (17 bytes each,
 * asking for `blockBytes` apiece), either all at once or in paced bursts.
 */
import { randomBytes } from 'node:crypto';
import { loadOrCreateIdentity } from '../../src/identity/identity.js';
import { decodeKeyText } from '../../src/identity/key-text.js';
import { torrentChannel } from '../../src/net/channel-name.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { SwarmNode } from '../../src/net/swarm-node.js';

const PROTOCOL = Buffer.from('\x13BitTorrent protocol', 'latin1');
const MESSAGE = { unchoke: 1, interested: 2, have: 4, bitfield: 5, haveAll: 14, haveNone: 15 } as const;
const READY_TIMEOUT_MS = 10_000;

export interface RequestFloodOptions {
  /** Home of the flooder's identity (a key the sharer trusts). */
  home: string;
  sharerKeyText: string;
  port: number;
  infoHash: string;
  /** Requests cycle over pieces 0..pieceCount-1, offset 0. */
  pieceCount: number;
  blockBytes: number;
  requests: number;
  /** Paced: `burstRequests` every `burstIntervalMs`; otherwise everything at once. */
  burstRequests?: number;
  burstIntervalMs?: number;
}

export interface RequestFlood {
  /** Requests written to the link so far. */
  readonly sentRequests: number;
  /** Resolves when every request is written (or the link closed first). */
  readonly sent: Promise<void>;
  /** Resolves when the sharer (or close()) ended the link. */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
  close(): Promise<void>;
}

function handshake(infoHash: string): Buffer {
  const reserved = Buffer.alloc(8);
  reserved[5] = 0x10; // extension protocol
  reserved[7] = 0x04; // fast extension: the sharer then rejects what it will not serve
  return Buffer.concat([PROTOCOL, reserved, Buffer.from(infoHash, 'hex'), randomBytes(20)]);
}

function message(id: number, ...numbers: number[]): Buffer {
  const buffer = Buffer.alloc(5 + 4 * numbers.length);
  buffer.writeUInt32BE(1 + 4 * numbers.length, 0);
  buffer[4] = id;
  numbers.forEach((n, i) => buffer.writeUInt32BE(n, 5 + 4 * i));
  return buffer;
}

/** Reads the sharer's BitTorrent messages until `isWanted(id)`; resolves with that id. */
function readUntil(link: PeerLink, isWanted: (id: number) => boolean, what: string, state: { buffer: Buffer; isHandshakeRead: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`flooder: no ${what} from the sharer`)), READY_TIMEOUT_MS);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      link.stream.off('data', onData);
      link.stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onClose = () => finish(new Error(`flooder: link closed before ${what}`));
    const onData = (chunk: Buffer) => {
      state.buffer = Buffer.concat([state.buffer, chunk]);
      if (!state.isHandshakeRead) {
        if (state.buffer.length < 68) return;
        state.buffer = state.buffer.subarray(68);
        state.isHandshakeRead = true;
      }
      while (state.buffer.length >= 4) {
        const length = state.buffer.readUInt32BE(0);
        if (state.buffer.length < 4 + length) return;
        const id = length > 0 ? state.buffer[4]! : -1;
        state.buffer = state.buffer.subarray(4 + length);
        if (isWanted(id)) return finish();
      }
    };
    link.stream.on('data', onData);
    link.stream.on('close', onClose);
  });
}

export async function startRequestFlood(options: RequestFloodOptions): Promise<RequestFlood> {
  const sharerKey = decodeKeyText(options.sharerKeyText);
  const node = new SwarmNode({
    identity: loadOrCreateIdentity(options.home),
    trust: { allows: (key) => Buffer.from(key).equals(Buffer.from(sharerKey)) },
    host: '127.0.0.1',
  });
  const link = await node.connect('127.0.0.1', options.port, torrentChannel(options.infoHash), { expectedKey: sharerKey });
  link.stream.on('error', () => {}); // the sharer ends the link; a write may then fail (ECONNRESET)
  let isClosed = false;
  const closed = new Promise<void>((resolve) => link.stream.once('close', () => resolve()));
  void closed.then(() => (isClosed = true));
  const state = { buffer: Buffer.alloc(0), isHandshakeRead: false };
  link.stream.write(handshake(options.infoHash));
  // `interested` must follow the sharer's announcement: webtorrent listens for it only from then on.
  await readUntil(link, (id) => id === MESSAGE.bitfield || id === MESSAGE.haveAll || id === MESSAGE.haveNone || id === MESSAGE.have, 'piece announcement', state);
  link.stream.write(message(MESSAGE.interested));
  await readUntil(link, (id) => id === MESSAGE.unchoke, 'unchoke', state);
  link.stream.pause(); // from here on nothing is read: the sharer's answers back up

  let sentRequests = 0;
  const writeRequests = (count: number) => {
    const batch: Buffer[] = [];
    for (let i = 0; i < count && sentRequests < options.requests; i++, sentRequests++) {
      batch.push(message(6, sentRequests % options.pieceCount, 0, options.blockBytes));
    }
    if (batch.length > 0 && !isClosed) link.stream.write(Buffer.concat(batch));
  };
  const sent = new Promise<void>((resolve) => {
    if (!options.burstRequests) {
      // In writes of 1,000 requests (17,000 bytes), so they cross the link as many frames.
      while (sentRequests < options.requests && !isClosed) writeRequests(1000);
      return resolve();
    }
    const timer = setInterval(() => {
      writeRequests(options.burstRequests!);
      if (sentRequests >= options.requests || isClosed) {
        clearInterval(timer);
        resolve();
      }
    }, options.burstIntervalMs ?? 10);
    void closed.then(() => {
      clearInterval(timer);
      resolve();
    });
  });
  return {
    get sentRequests() {
      return sentRequests;
    },
    sent,
    closed,
    get isClosed() {
      return isClosed;
    },
    async close() {
      link.close();
      await node.close();
    },
  };
}
