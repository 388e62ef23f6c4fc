/**
 * The fair choker and end game on real bittorrent-protocol wires over real TCP links
 * (issue 10): one peer reached directly on loopback, one through bench/delay-relay.mjs with
 * a 40 ms one-way delay and its uplink capped at 256 KiB/s. Both decide from the speed the
 * wires measure as blocks arrive, so with the old speed bug (every measured speed 0) the
 * choker ranked the peers alike and end game stole from whichever busy wire came first.
 */
import net from 'node:net';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import Wire from 'bittorrent-protocol';
import Piece from 'torrent-piece';
import type { Torrent, Wire as WebTorrentWire } from 'webtorrent';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDelayRelay } from '../../bench/delay-relay.mjs';
import { END_GAME_CHECK_MS, requestsToKeep, startEndGame } from '../../src/share/end-game.js';
import { markSharer } from '../../src/share/seeder-last.js';
import { FairChoker } from '../../src/share/fair-choker.js';
import { sizePipelineToLink } from '../../src/share/link-pipeline.js';
import { limitWireOutgoing } from '../../src/share/wire-outgoing-limit.js';
import { limitWireRequests } from '../../src/share/wire-request-limit.js';

const BLOCK_BYTES = 16 * 1024;
const INFO_HASH = randomBytes(20).toString('hex');

type BtWire = WebTorrentWire & {
  handshake(infoHash: string, peerId: string, extensions: object): void;
  interested(): void;
  have(index: number): void;
  requests: { piece: number; offset: number; length: number }[];
  request(piece: number, offset: number, length: number, cb: (error: Error | null) => void): void;
};

interface Pair {
  local: BtWire;
  remote: BtWire;
  /** While true the remote keeps requests unanswered (a peer still owing blocks). */
  isHolding: boolean;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const once = <T>(emitter: { once(event: string, listener: (value: T) => void): unknown }, event: string) =>
  new Promise<T>((resolve) => emitter.once(event, resolve));

/** Our wire and a serving remote wire over TCP, through a delay relay when `relay` is given. */
async function wirePair(relay?: { oneWayDelayMs: number; rateBytesPerSecond: number }): Promise<Pair> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let port = (server.address() as net.AddressInfo).port;
  if (relay) {
    const delay = await startDelayRelay({ targetPort: port, ...relay });
    cleanups.push(() => delay.close());
    port = delay.port;
  }
  const accepted = once<net.Socket>(server, 'connection');
  const socket = net.connect(port, '127.0.0.1');
  const serverSocket = await accepted;
  server.close();
  cleanups.push(() => socket.destroy(), () => serverSocket.destroy());
  const pair: Pair = { local: new Wire() as unknown as BtWire, remote: new Wire() as unknown as BtWire, isHolding: false };
  for (const [tcp, wire] of [[socket, pair.local], [serverSocket, pair.remote]] as const) {
    tcp.pipe(wire as never);
    (wire as unknown as Readable).pipe(tcp);
  }
  sizePipelineToLink(pair.local); // what TorrentPeers does to every wire
  const handshaken = Promise.all([once(pair.local, 'handshake'), once(pair.remote, 'handshake')]);
  pair.local.handshake(INFO_HASH, randomBytes(20).toString('hex'), { fast: true });
  pair.remote.handshake(INFO_HASH, randomBytes(20).toString('hex'), { fast: true });
  await handshaken;
  pair.remote.on('interested', () => pair.remote.unchoke());
  pair.remote.on('request', (_piece: number, _offset: number, length: number, respond: (e: Error | null, b: Uint8Array) => void) => {
    if (!pair.isHolding) respond(null, Buffer.alloc(length));
  });
  const unchoked = once(pair.local, 'unchoke');
  pair.local.interested();
  pair.remote.interested();
  await unchoked;
  return pair;
}

/** Requests `blocks` blocks of piece `piece`; resolves when all arrived (or were cancelled). */
function download(wire: BtWire, blocks: number, piece = 0): Promise<void> {
  const all: Promise<void>[] = [];
  for (let i = 0; i < blocks; i++) all.push(new Promise((resolve) => wire.request(piece, i * BLOCK_BYTES, BLOCK_BYTES, () => resolve())));
  return Promise.all(all).then(() => undefined);
}

const SLOW_LINK = { oneWayDelayMs: 40, rateBytesPerSecond: 256 * 1024 };
/** Slow enough that a download of 48 blocks spans several of the link meter's rate intervals. */
const ALIKE_LINK = { oneWayDelayMs: 5, rateBytesPerSecond: 1024 * 1024 };

describe('choker and end game on real wires over a slow long link and a fast one', () => {
  it('the choker gives its one regular slot to the fast peer, even listed last', async () => {
    await limitWireRequests();
    await limitWireOutgoing();
    const slow = await wirePair(SLOW_LINK);
    const fast = await wirePair();
    await Promise.all([download(fast.local, 128), download(slow.local, 24)]);
    expect(slow.local.measuredDownloadSpeed!()).toBeGreaterThan(0);
    expect(fast.local.measuredDownloadSpeed!()).toBeGreaterThan(2 * slow.local.measuredDownloadSpeed!());

    const torrent = Object.assign(new EventEmitter(), { ready: true, destroyed: false, done: false, pieces: new Array(8).fill({}), wires: [slow.local, fast.local], _rechoke() {} });
    const choker = new FairChoker(torrent as unknown as Torrent, 1);
    const { regular, optimistic } = choker.rechoke();
    choker.stop();
    expect(regular).toEqual([fast.local]);
    expect(optimistic).toBe(slow.local); // the slow one only gets the rotating slot
  }, 30_000);

  it('the choker unchokes a peer that turns interested again at once, not at its next round', async () => {
    await limitWireRequests();
    await limitWireOutgoing();
    const peer = await wirePair();
    peer.remote.removeAllListeners('interested'); // wirePair's own "unchoke whoever asks": the choker decides here
    const torrent = Object.assign(new EventEmitter(), { ready: true, destroyed: false, done: false, pieces: new Array(8).fill({}), wires: [peer.remote], _rechoke() {} });
    const choker = new FairChoker(torrent as unknown as Torrent);
    cleanups.push(() => choker.stop());
    choker.watch(peer.remote);
    const uninterested = once(peer.remote, 'uninterested');
    peer.local.uninterested();
    await uninterested;
    choker.rechoke(); // a round while it wants nothing: choked
    expect(peer.remote.amChoking).toBe(true);
    const interested = once(peer.remote, 'interested');
    peer.local.interested();
    await interested;
    // Before: choked until the next round, up to 5 s with this uplink idle.
    expect(peer.remote.amChoking).toBe(false);
    await once(peer.local, 'unchoke');
  }, 30_000);

  it('end game cancels the slow busy wire, not the first busy one, for an idle fast wire', async () => {
    await limitWireRequests();
    await limitWireOutgoing();
    // 4x apart, each slow enough that its rate is measured over several intervals (an
    // unthrottled loopback download can end inside one, leaving that link unrated).
    const fastBusy = await wirePair(ALIKE_LINK);
    const slowBusy = await wirePair(SLOW_LINK);
    const idle = await wirePair(ALIKE_LINK);
    await Promise.all([download(fastBusy.local, 48), download(idle.local, 48), download(slowBusy.local, 24)]);

    // The tail of a download: piece 1 missing, its one block reserved; both busy wires owe blocks.
    const piece = new Piece(BLOCK_BYTES);
    expect(piece.reserve()).toBe(0);
    fastBusy.isHolding = slowBusy.isHolding = true;
    void download(fastBusy.local, 4, 1);
    void download(slowBusy.local, 4, 1);
    const haveArrived = once(idle.local, 'have');
    idle.remote.have(1);
    await haveArrived;
    expect(fastBusy.local.requests).toHaveLength(4);
    expect(slowBusy.local.requests).toHaveLength(4);

    const torrent = Object.assign(new EventEmitter(), {
      ready: true, done: false, destroyed: false, pieces: [null, piece], wires: [fastBusy.local, slowBusy.local, idle.local], _request: () => true,
    });
    const stolen = once<BtWire>(torrent, 'end-game-steal');
    const stop = startEndGame(torrent as unknown as Torrent);
    cleanups.push(stop);
    expect(await stolen).toBe(slowBusy.local);
    // It keeps only its share by rate: at a quarter of the idle wire's rate, at most 1 of 4.
    expect(slowBusy.local.requests.length).toBeLessThanOrEqual(1);
    expect(fastBusy.local.requests).toHaveLength(4);
  }, 30_000);
  it('end game leaves the slow wire the blocks only it can serve, and has the idle wire ask at once', async () => {
    await limitWireRequests();
    await limitWireOutgoing();
    const slowBusy = await wirePair(SLOW_LINK);
    const idle = await wirePair();
    await Promise.all([download(idle.local, 128), download(slowBusy.local, 24)]);

    // Pieces 1 and 2 missing, each with its blocks reserved on the slow wire; only piece 1 is on the idle peer.
    const pieces = [null, new Piece(4 * BLOCK_BYTES), new Piece(4 * BLOCK_BYTES)];
    for (const piece of pieces.slice(1)) for (let i = 0; i < 4; i++) piece!.reserve();
    slowBusy.isHolding = true;
    void download(slowBusy.local, 4, 1);
    void download(slowBusy.local, 4, 2);
    const haveArrived = once(idle.local, 'have');
    idle.remote.have(1);
    await haveArrived;

    const askedNow: [unknown, number][] = [];
    const torrent = Object.assign(new EventEmitter(), {
      ready: true, done: false, destroyed: false, pieces, wires: [slowBusy.local, idle.local], _request: (wire: unknown, index: number) => askedNow.push([wire, index]) > 0,
    });
    const stolen = once<BtWire>(torrent, 'end-game-steal');
    const stop = startEndGame(torrent as unknown as Torrent);
    cleanups.push(stop);
    expect(await stolen).toBe(slowBusy.local);
    // Before: all 8 requests were cancelled, and piece 2's blocks went back to the same peer.
    expect((slowBusy.local.requests as { piece: number }[]).map((r) => r.piece)).toEqual([2, 2, 2, 2]);
    expect(askedNow).toEqual(new Array(4).fill([idle.local, 1])); // piece 1's four blocks, at once
  }, 30_000);

  it('end game shares a busy wire\'s blocks with every idle wire that has them, not only with one twice as fast', async () => {
    await limitWireRequests();
    await limitWireOutgoing();
    const busy = await wirePair(ALIKE_LINK);
    const idle = [await wirePair(ALIKE_LINK), await wirePair(ALIKE_LINK)];
    // Alike links: before, no idle wire was twice as fast, so nothing moved and the getter
    // waited for the busy peer to serve every block itself.
    await Promise.all([busy, ...idle].map((pair) => download(pair.local, 48)));

    const pieces = [null, new Piece(4 * BLOCK_BYTES), new Piece(4 * BLOCK_BYTES)];
    for (const piece of pieces.slice(1)) for (let i = 0; i < 4; i++) piece!.reserve();
    busy.isHolding = true;
    void download(busy.local, 4, 1);
    void download(busy.local, 4, 2);
    for (const pair of idle) {
      const haveArrived = new Promise<void>((resolve) => pair.local.on('have', (index: number) => index === 2 && resolve()));
      pair.remote.have(1);
      pair.remote.have(2);
      await haveArrived;
    }

    const asked: [unknown, number][] = [];
    const torrent = Object.assign(new EventEmitter(), {
      ready: true, done: false, destroyed: false, pieces, wires: [busy.local, ...idle.map((pair) => pair.local)], _request: (wire: unknown, index: number) => asked.push([wire, index]) > 0,
    });
    const stolen = once<BtWire>(torrent, 'end-game-steal');
    const stop = startEndGame(torrent as unknown as Torrent);
    cleanups.push(stop);
    expect(await stolen).toBe(busy.local);
    stop();
    // It keeps a share, the first requests it sent; the rest went to the idle wires.
    const kept = busy.local.requests.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(8);
    expect(asked).toHaveLength(8 - kept);
    const movedPieces = [...new Set(asked.map(([, index]) => index))];
    const askedWires = new Set(asked.map(([wire]) => wire));
    // A piece goes to one wire; two pieces moved go to two wires.
    expect(askedWires.size).toBe(movedPieces.length);
    for (const [wire] of asked) expect(idle.map((pair) => pair.local)).toContain(wire);
  }, 30_000);
});

/**
 * The tail with the magnet's sharer idle: a busy peer as fast owes piece 1's four blocks, and
 * the sharer has announced `haves` one by one (the last of them is 1).
 */
async function busyPeerAndIdleSharer(haves: number[]) {
  await limitWireRequests();
  await limitWireOutgoing();
  const busy = await wirePair(ALIKE_LINK);
  const sharer = await wirePair(ALIKE_LINK);
  await Promise.all([busy, sharer].map((pair) => download(pair.local, 48)));
  markSharer(sharer.local);
  const pieces = [null, new Piece(4 * BLOCK_BYTES)];
  for (let i = 0; i < 4; i++) pieces[1]!.reserve();
  busy.isHolding = true;
  void download(busy.local, 4, 1);
  const announced = new Promise<void>((resolve) => sharer.local.on('have', (index: number) => index === 1 && resolve()));
  for (const index of haves) sharer.remote.have(index);
  await announced;
  return { busy, sharer, pieces };
}

describe('end game and a taker with no room', () => {
  it('a full taker takes what it can; the rest is left free for the next round, not handed back to the busy wire', async () => {
    await limitWireRequests();
    await limitWireOutgoing();
    const busy = await wirePair(ALIKE_LINK);
    const idle = await wirePair(ALIKE_LINK);
    await Promise.all([busy, idle].map((pair) => download(pair.local, 48)));
    const pieces = [null, new Piece(4 * BLOCK_BYTES), new Piece(4 * BLOCK_BYTES)];
    for (const piece of pieces.slice(1)) for (let i = 0; i < 4; i++) piece!.reserve();
    busy.isHolding = true;
    void download(busy.local, 4, 1);
    void download(busy.local, 4, 2);
    const announced = new Promise<void>((resolve) => idle.local.on('have', (index: number) => index === 2 && resolve()));
    idle.remote.have(1);
    idle.remote.have(2);
    await announced;

    // The idle wire's pipeline takes two more blocks, then is full; the busy wire may re-ask.
    const asked: [unknown, number, boolean][] = [];
    const request = (wire: unknown, index: number) => {
      const taken = wire === busy.local || asked.filter(([w, , ok]) => w === idle.local && ok).length < 2;
      asked.push([wire, index, taken]);
      return taken;
    };
    const torrent = Object.assign(new EventEmitter(), { ready: true, done: false, destroyed: false, pieces, wires: [busy.local, idle.local], _request: request });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const stop = startEndGame(torrent as unknown as Torrent);
    vi.advanceTimersByTime(END_GAME_CHECK_MS);
    stop();
    vi.useRealTimers();
    const taken = asked.filter(([w, , ok]) => w === idle.local && ok);
    const refused = asked.filter(([w, , ok]) => w === idle.local && !ok);
    expect(taken).toHaveLength(2);
    expect(refused).toHaveLength(1); // it stops asking once refused
    // The busy wire keeps its share (alike rates: half) and is not asked again for the rest.
    expect(busy.local.requests).toHaveLength(4);
    expect(asked.filter(([w]) => w === busy.local)).toHaveLength(0);
  }, 30_000);
});

describe('end game and the magnet\'s sharer', () => {
  it('an idle sharer not much faster than the busy wire takes nothing, and nothing breaks', async () => {
    const { busy, sharer, pieces } = await busyPeerAndIdleSharer([1]);

    const asked: unknown[] = [];
    const torrent = Object.assign(new EventEmitter(), {
      ready: true, done: false, destroyed: false, pieces, wires: [busy.local, sharer.local], _request: (wire: unknown) => asked.push(wire) > 0,
    });
    let steals = 0;
    torrent.on('end-game-steal', () => steals++);
    const stop = startEndGame(torrent as unknown as Torrent);
    cleanups.push(stop);
    await new Promise((resolve) => setTimeout(resolve, 700)); // two checks and more
    expect(steals).toBe(0);
    expect(asked).toEqual([]);
    expect(busy.local.requests).toHaveLength(4);
  }, 30_000);
});

describe('end game and a sharer that has shared everything', () => {
  it('takes its share of a busy peer\'s blocks like any idle peer (its super-seeding is over)', async () => {
    // One by one, every piece: what a super-seeding sharer does once all are out in the swarm.
    const { busy, sharer, pieces } = await busyPeerAndIdleSharer([0, 1]);

    const asked: [unknown, number][] = [];
    const torrent = Object.assign(new EventEmitter(), {
      ready: true, done: false, destroyed: false, pieces, wires: [busy.local, sharer.local], _request: (wire: unknown, index: number) => asked.push([wire, index]) > 0,
    });
    const stolenFrom: unknown[] = [];
    torrent.on('end-game-steal', (wire) => stolenFrom.push(wire));
    // The first check only, while the busy peer still counts as delivering at the sharer's
    // rate: a sharer still super-seeding would have to be 8x faster to take part (and a busy
    // peer that stays silent for seconds counts as stalled, which would let it in anyway).
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const stop = startEndGame(torrent as unknown as Torrent);
    vi.advanceTimersByTime(END_GAME_CHECK_MS);
    stop();
    vi.useRealTimers();
    expect(stolenFrom).toEqual([busy.local]);
    expect(busy.local.requests.length).toBeLessThan(4);
    expect(asked.length).toBe(4 - busy.local.requests.length);
    for (const [wire, index] of asked) expect([wire, index]).toEqual([sharer.local, 1]);
  }, 30_000);
});

describe('end game: how many of its requests a busy wire keeps', () => {
  it('in proportion to its rate among the takers, so all finish about together', () => {
    expect(requestsToKeep(9, 100, [100, 100])).toBe(3);
    expect(requestsToKeep(8, 300, [100])).toBe(6);
    expect(requestsToKeep(8, 10, [1000, 1000])).toBe(0);
  });

  it('none when the busy wire delivers nothing (stalled), all when the takers are not measured yet', () => {
    expect(requestsToKeep(8, 0, [100])).toBe(0);
    expect(requestsToKeep(8, 1_000_000, [1, 1])).toBe(8);
  });
});
