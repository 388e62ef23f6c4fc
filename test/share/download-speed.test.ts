/**
 * Measured download speed over real bittorrent-protocol wires on loopback TCP (issue 10):
 * bittorrent-protocol records every block with `downloadSpeed(bytes)`; the pipeline floor
 * (then in torrent-peers.ts, now link-pipeline.ts) once dropped that count, so every measured speed was 0, the fair
 * choker ranked every peer alike and end game always stole from the first wire. Here
 * blocks really flow, the measured speed must be non-zero, and the choker must give its
 * regular slot to the peer that uploaded more to us.
 */
import net from 'node:net';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import Wire from 'bittorrent-protocol';
import type { Torrent, Wire as WebTorrentWire } from 'webtorrent';
import { afterEach, describe, expect, it } from 'vitest';
import { FairChoker } from '../../src/share/fair-choker.js';
import { PIPELINE_FLOOR_BYTES_PER_SECOND, sizePipelineToLink } from '../../src/share/link-pipeline.js';
import { limitWireOutgoing } from '../../src/share/wire-outgoing-limit.js';
import { limitWireRequests } from '../../src/share/wire-request-limit.js';

const BLOCK_BYTES = 16 * 1024;
const INFO_HASH = randomBytes(20).toString('hex');

type BtWire = WebTorrentWire & {
  handshake(infoHash: string, peerId: string, extensions: object): void;
  interested(): void;
  request(piece: number, offset: number, length: number, cb: (error: Error | null) => void): void;
};

const sockets: net.Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

const once = <T>(emitter: { once(event: string, listener: (value: T) => void): unknown }, event: string) =>
  new Promise<T>((resolve) => emitter.once(event, resolve));

/** A wire of ours and the remote peer's wire, over a loopback TCP connection, handshaken. */
async function wirePair(): Promise<{ local: BtWire; remote: BtWire }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = once<net.Socket>(server, 'connection');
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const serverSocket = await accepted;
  server.close();
  sockets.push(socket, serverSocket);
  const local = new Wire() as unknown as BtWire;
  const remote = new Wire() as unknown as BtWire;
  for (const [tcp, wire] of [[socket, local], [serverSocket, remote]] as const) {
    tcp.pipe(wire as never);
    (wire as unknown as Readable).pipe(tcp);
  }
  sizePipelineToLink(local); // what TorrentPeers does to every wire
  const handshaken = Promise.all([once(local, 'handshake'), once(remote, 'handshake')]);
  local.handshake(INFO_HASH, randomBytes(20).toString('hex'), { fast: true });
  remote.handshake(INFO_HASH, randomBytes(20).toString('hex'), { fast: true });
  await handshaken;
  remote.on('interested', () => remote.unchoke());
  remote.on('request', (_piece: number, _offset: number, length: number, respond: (e: Error | null, b: Uint8Array) => void) => respond(null, Buffer.alloc(length)));
  const unchoked = once(local, 'unchoke');
  local.interested();
  remote.interested(); // so the choker sees each remote as a candidate for our upload slots
  await unchoked;
  return { local, remote };
}

/** Asks the remote for `blocks` blocks of piece 0 and waits for all of them. */
function download(wire: BtWire, blocks: number): Promise<void> {
  const all: Promise<void>[] = [];
  for (let i = 0; i < blocks; i++) {
    all.push(new Promise((resolve, reject) => wire.request(0, i * BLOCK_BYTES, BLOCK_BYTES, (error) => (error ? reject(error) : resolve()))));
  }
  return Promise.all(all).then(() => undefined);
}

describe('measured download speed over real wires', () => {
  it('counts the blocks that arrive, floors only what the pipeline sees, and lets the choker rank by it', async () => {
    await limitWireRequests(); // the process-wide patches swarm runs with
    await limitWireOutgoing();
    const fast = await wirePair();
    const slow = await wirePair();
    await Promise.all([download(fast.local, 128), download(slow.local, 2)]);

    const fastSpeed = fast.local.measuredDownloadSpeed!();
    const slowSpeed = slow.local.measuredDownloadSpeed!();
    expect(slowSpeed).toBeGreaterThan(0);
    expect(fastSpeed).toBeGreaterThan(slowSpeed);
    expect(fast.local.downloaded).toBe(128 * BLOCK_BYTES);
    expect(slow.local.downloadSpeed()).toBe(PIPELINE_FLOOR_BYTES_PER_SECOND); // 32 KiB/s is under the floor

    // One regular slot: it goes to the peer that uploaded more to us, even listed last.
    const torrent = { ready: true, destroyed: false, done: false, pieces: new Array(8).fill({}), wires: [slow.local, fast.local], _rechoke() {} };
    const choker = new FairChoker(torrent as unknown as Torrent, 1);
    const { regular } = choker.rechoke();
    choker.stop();
    expect(regular).toEqual([fast.local]);
    expect(fast.local.amChoking).toBe(false);
  });
});
