/**
 * The fence around webtorrent 2.8.5's and bittorrent-protocol 4.1's private members. Every
 * reach into them from share/ goes through a function here (test/architecture checks that no
 * other module names them), and `checkEngineInternals` runs when a client is created: each
 * hook must exist with the shape we rely on, or the client is destroyed and ENGINE_CHANGED
 * names the hook. A silent miss would turn off a protection without a sound: the piece
 * picker, disk backpressure, corrupt-peer banning, the request caps, or even leave
 * webtorrent's plaintext listener open. What relies on each hook is in HOOKS below.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { errors } from '../errors.js';
import { takePieceBuffer } from './piece-buffers.js';
import type WebTorrent from 'webtorrent';
import type { InternalPeer, RarityMap, Torrent, TorrentPiece, TorrentStore, Wire } from 'webtorrent';
import { BLOCK_BYTES } from '../secure/buffer-pool.js';

/** The warning webtorrent emits when a piece's SHA-1 check fails (corrupt-piece-guard.ts). */
export const FAILED_PIECE_WARNING = /^Piece (\d+) failed verification/;

/** Objects the checks look at: webtorrent's classes and a fresh instance where a field is per instance. */
export interface EngineParts {
  client: object;
  torrentPrototype: object;
  /** webtorrent's torrent.js: instance fields set in the constructor, the pipeline formula, warning text. */
  torrentSource: string;
  wirePrototype: object;
  wireSource: string;
  wire: object;
  piece: object;
  /** torrent-piece's Piece class text: what assemblePiecesInPlace replaces. */
  pieceSource: string;
  rarityMap: object;
  storePrototype: object;
  /** An instance of ut_metadata's extension (BEP 9), and its class's text. */
  utMetadata: object;
  utMetadataSource: string;
}

type Expect = { kind: 'function'; arity?: number } | { kind: 'object' | 'number' | 'array' | 'present' } | { kind: 'text'; text: string };

interface Hook {
  /** How the failure names it, e.g. `Torrent.prototype._addPeer`. */
  name: string;
  part: keyof EngineParts;
  /** Property path inside the part (empty for a text check). */
  path: string[];
  expect: Expect;
}

const fn = (arity?: number): Expect => ({ kind: 'function', arity });
const text = (value: string): Expect => ({ kind: 'text', text: value });
const hook = (name: string, part: keyof EngineParts, path: string, expect: Expect): Hook => ({ name, part, path: path ? path.split('.') : [], expect });

export const HOOKS: readonly Hook[] = [
  // locked-client.ts: webtorrent's own plaintext listener is closed; only secure links get in
  hook('client._connPool.destroy', 'client', '_connPool.destroy', fn()),
  hook('Torrent.prototype._addPeer', 'torrentPrototype', '_addPeer', fn(3)),
  // get-session.ts: metadata is checked before webtorrent uses it
  hook('Torrent.prototype._onMetadata', 'torrentPrototype', '_onMetadata', fn(1)),
  // fair-choker.ts replaces webtorrent's choker
  hook('Torrent.prototype._rechoke', 'torrentPrototype', '_rechoke', fn(0)),
  // request-scheduler.ts, write-backpressure.ts: coalesced re-planning, no requests while writes pile up
  hook('Torrent.prototype._update', 'torrentPrototype', '_update', fn(0)),
  hook('Torrent.prototype._updateWire', 'torrentPrototype', '_updateWire', fn(1)),
  // seeder-last.ts wraps it; end-game.ts asks a chosen wire for blocks of a chosen piece through it
  hook('Torrent.prototype._request', 'torrentPrototype', '_request', fn(3)),
  hook('torrent._peers (a Map)', 'torrentSource', '', text('this._peers = new Map()')),
  hook('torrent._rarityMap', 'torrentSource', '', text('this._rarityMap = new RarityMap(this)')),
  hook('torrent.store (an ImmediateChunkStore)', 'torrentSource', '', text('this.store = new ImmediateChunkStore(')),
  hook('ImmediateChunkStore.prototype.put', 'storePrototype', 'put', fn(2)),
  // corrupt-piece-guard.ts reads the piece number from this warning
  hook('the "Piece N failed verification" warning', 'torrentSource', '', text('`Piece ${index} failed verification`')),
  // link-pipeline.ts: webtorrent sizes each wire's request pipeline from downloadSpeed()
  hook('the request pipeline sized by wire.downloadSpeed()', 'torrentSource', '', text('duration * wire.downloadSpeed() / Piece.BLOCK_LENGTH')),
  // request-scheduler.ts: a wire that has delivered nothing is asked for a whole pipeline, not one probe block
  hook('the one-block probe of a new wire in _updateWire', 'torrentSource', '', text('if (!wire.downloaded) return validateWire()')),
  // piece-picker.ts
  hook('rarityMap._pieces', 'rarityMap', '_pieces', { kind: 'array' }),
  hook('rarityMap._numPieces', 'rarityMap', '_numPieces', { kind: 'number' }),
  hook('rarityMap.getRarestPiece', 'rarityMap', 'getRarestPiece', fn(1)),
  // piece-picker.ts, end-game.ts: is a block of a piece left to ask for
  hook('piece._reservations', 'piece', '_reservations', { kind: 'number' }),
  hook('piece._chunks', 'piece', '_chunks', { kind: 'number' }),
  hook('piece._cancellations', 'piece', '_cancellations', { kind: 'present' }),
  // assemblePiecesInPlace: blocks are copied into the piece as they arrive, not joined at the end
  hook('Piece#set keeping each block in piece._buffer', 'pieceSource', '', text('this._buffer[i + j] = splitData')),
  hook('Piece#flush joining piece._buffer', 'pieceSource', '', text('const buffer = concat(this._buffer, this.length)')),
  hook('Piece.prototype.init', 'piece', 'init', fn(0)),
  hook('Piece.prototype.chunkLength', 'piece', 'chunkLength', fn(1)),
  hook('piece._buffered', 'piece', '_buffered', { kind: 'number' }),
  hook('piece.missing', 'piece', 'missing', { kind: 'number' }),
  hook('piece._flushed', 'piece', '_flushed', { kind: 'present' }),
  hook('a block handed to piece.set, the piece taken by flush()', 'torrentSource', '', text('if (!piece.set(reservation, chunk, wire)) return onUpdateTick()\n\n      const buf = piece.flush()')),
  // link-pipeline.ts, fair-choker.ts, end-game.ts: the per-wire speed meter, fed per block
  hook('wire.downloadSpeed', 'wire', 'downloadSpeed', fn(1)),
  hook('Wire#_onPiece feeding downloadSpeed(bytes)', 'wireSource', '', text('this.downloadSpeed(buffer.length)')),
  hook('Wire.prototype.request', 'wirePrototype', 'request', fn(4)),
  // super-seeder.ts offers pieces one by one instead of announcing them all
  hook('Wire.prototype.haveAll', 'wirePrototype', 'haveAll', fn(0)),
  hook('Wire.prototype.haveNone', 'wirePrototype', 'haveNone', fn(0)),
  // wire-message-limit.ts, wire-request-limit.ts, wire-outgoing-limit.ts: what a peer can make us hold
  hook('Wire.prototype._onMessageLength', 'wirePrototype', '_onMessageLength', fn(1)),
  // wire-piece-index-limit.ts: a have or suggest for a piece the torrent does not have drops the peer
  hook('Wire.prototype._onHave', 'wirePrototype', '_onHave', fn(1)),
  hook('Wire.prototype._onSuggest', 'wirePrototype', '_onSuggest', fn(1)),
  hook('Wire.prototype._onRequest', 'wirePrototype', '_onRequest', fn(3)),
  hook('Wire.prototype._pull', 'wirePrototype', '_pull', fn(4)),
  hook('Wire.prototype._message', 'wirePrototype', '_message', fn(3)),
  hook('Wire.prototype._sendExtendedHandshake', 'wirePrototype', '_sendExtendedHandshake', fn(0)),
  hook('Wire.prototype._write (streamx)', 'wirePrototype', '_write', fn(2)),
  hook('Wire.prototype._read (streamx)', 'wirePrototype', '_read', fn(1)),
  hook('Wire.prototype.end', 'wirePrototype', 'end', fn(1)),
  hook('wire._readableState.buffered (streamx)', 'wire', '_readableState.buffered', { kind: 'number' }),
  hook('wire.peerRequests', 'wire', 'peerRequests', { kind: 'array' }),
  hook('wire.requests', 'wire', 'requests', { kind: 'array' }),
  // metadata-data-guard.ts: BEP 9 messages ut_metadata cannot take are dropped, or end the link, not the process
  hook('ut_metadata.onMessage', 'utMetadata', 'onMessage', fn(1)),
  hook('ut_metadata._onData', 'utMetadata', '_onData', fn(3)),
  hook('ut_metadata keeping the metadata being fetched in this.metadata, made once its size is known', 'utMetadataSource', '', text('this.metadata = new Uint8Array(this._metadataSize)')),
];

function describeExpect(expect: Expect): string {
  if (expect.kind === 'text') return `expected its source to contain ${expect.text}`;
  if (expect.kind === 'function') return expect.arity === undefined ? 'expected a method' : `expected a method of ${expect.arity} arguments`;
  if (expect.kind === 'present') return 'expected a field';
  return `expected ${expect.kind === 'array' ? 'an array' : `a ${expect.kind}`}`;
}

function holds(value: unknown, expect: Expect): boolean {
  switch (expect.kind) {
    case 'function':
      return typeof value === 'function' && (expect.arity === undefined || value.length === expect.arity);
    case 'object':
      return typeof value === 'object' && value !== null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'present':
      return value !== undefined;
    case 'text':
      return typeof value === 'string' && value.includes(expect.text);
  }
}

/** Throws ENGINE_CHANGED naming the first hook that is missing or has another shape. */
export function checkEngineParts(parts: EngineParts, hooks: readonly Hook[] = HOOKS): void {
  for (const { name, part, path, expect } of hooks) {
    let value: unknown = parts[part];
    for (const key of path) value = value == null ? undefined : (value as Record<string, unknown>)[key];
    if (!holds(value, expect)) throw errors.engineChanged(name, describeExpect(expect));
  }
}

/** webtorrent's own classes (the ones its client uses: same module instances). */
export async function loadEngineParts(client: object): Promise<EngineParts> {
  const [{ default: TorrentClass }, { default: RarityMapClass }, { default: Piece }, { default: ImmediateChunkStore }, { default: WireClass }, { default: utMetadata }] = await Promise.all([
    import('webtorrent/lib/torrent.js'),
    import('webtorrent/lib/rarity-map.js'),
    import('torrent-piece'),
    import('immediate-chunk-store'),
    import('bittorrent-protocol'),
    import('ut_metadata'),
  ]);
  const UtMetadata = utMetadata();
  const standIn = { pieces: [null, null], wires: [], on() {}, removeListener() {} };
  // the module's text, not the class's: the pipeline formula is a function outside the class
  const torrentSource = readFileSync(createRequire(import.meta.url).resolve('webtorrent/lib/torrent.js'), 'utf8');
  return {
    client,
    torrentPrototype: TorrentClass.prototype,
    torrentSource,
    wirePrototype: WireClass.prototype,
    wireSource: String(WireClass),
    wire: new WireClass(),
    piece: new Piece(2 * 16 * 1024),
    pieceSource: String(Piece),
    rarityMap: new RarityMapClass(standIn),
    storePrototype: ImmediateChunkStore.prototype,
    utMetadata: new UtMetadata({ extendedHandshake: {} }),
    utMetadataSource: String(UtMetadata),
  };
}

/** Called by createLockedClient: a changed engine fails here, before any torrent exists. */
export async function checkEngineInternals(client: object): Promise<void> {
  const parts = await loadEngineParts(client);
  (parts.wire as { destroy(): void }).destroy();
  checkEngineParts(parts);
}

// ---- The accessors. Each names the module that uses it. ----

type Replace<F> = (original: F) => F;

function replaceMethod<T extends object, K extends keyof T>(target: T, name: K, make: Replace<T[K]>): void {
  const original = (target[name] as (...args: unknown[]) => unknown).bind(target) as T[K];
  target[name] = make(original);
}

/** locked-client.ts: takes webtorrent's plaintext listener pool away from the client. */
export function takeConnPool(client: WebTorrent): WebTorrent['_connPool'] {
  const pool = client._connPool;
  client._connPool = null;
  return pool;
}

type MetadataOnData = (piece: number, data: Uint8Array, totalSize: number) => void;
interface MetadataExtension {
  onMessage(message: Uint8Array): void;
  _onData: MetadataOnData;
  metadata?: Uint8Array;
}

/**
 * metadata-data-guard.ts: wraps this wire's ut_metadata (false on a wire without it): its
 * handler of every BEP 9 message, and of a `data` message. `roomBytes()` is the size of the
 * buffer a `data` piece is written into: 0 until ut_metadata knows the metadata's size (the
 * peer's extended handshake gave it), which is when it makes that buffer.
 */
export function replaceMetadataHandlers(
  wire: Wire,
  make: { onMessage: (original: (message: Uint8Array) => void) => (message: Uint8Array) => void; onData: (original: MetadataOnData, roomBytes: () => number) => MetadataOnData },
): boolean {
  const extension = (wire as Wire & { ut_metadata?: MetadataExtension }).ut_metadata;
  if (!extension) return false;
  extension.onMessage = make.onMessage(extension.onMessage.bind(extension));
  extension._onData = make.onData(extension._onData.bind(extension), () => extension.metadata?.length ?? 0);
  return true;
}

/** locked-client.ts */
export const replaceAddPeer = (torrent: Torrent, make: Replace<Torrent['_addPeer']>) => replaceMethod(torrent, '_addPeer', make);
/** get-session.ts */
export const replaceOnMetadata = (torrent: Torrent, make: Replace<Torrent['_onMetadata']>) => replaceMethod(torrent, '_onMetadata', make);
/** fair-choker.ts: webtorrent's own rechoke interval then does nothing. */
export function disableBuiltInChoker(torrent: Torrent): void {
  torrent._rechoke = () => {};
}
/** request-scheduler.ts */
export const replaceUpdate = (torrent: Torrent, make: Replace<Torrent['_update']>) => replaceMethod(torrent, '_update', make);
/** request-scheduler.ts */
export const replaceUpdateWire = (torrent: Torrent, make: Replace<Torrent['_updateWire']>) => replaceMethod(torrent, '_updateWire', make);
/**
 * request-scheduler.ts: runs webtorrent's `_updateWire` as if the wire had delivered a block
 * already. webtorrent asks a wire that has delivered nothing for one block only (a probe of
 * an unknown peer), which costs every link a round trip before its pipeline fills; ours
 * are authenticated, and stalls are handled by the request timeout and the end game.
 */
export function updateWireWithoutProbe(wire: Wire, updateWire: (wire: Wire) => unknown): unknown {
  if (wire.downloaded !== 0) return updateWire(wire);
  wire.downloaded = 1; // read only by that check during this synchronous call
  try {
    return updateWire(wire);
  } finally {
    if (wire.downloaded === 1) wire.downloaded = 0;
  }
}
/** write-backpressure.ts */
export const replaceRequest = (torrent: Torrent, make: Replace<Torrent['_request']>) => replaceMethod(torrent, '_request', make);
/** write-backpressure.ts: asks every wire for blocks again. */
export function replanRequests(torrent: Torrent): void {
  torrent._update();
}
/** end-game.ts: `wire` asks for one more block of piece `index` (false: none left, or its pipeline is full). */
export function requestBlock(torrent: Torrent, wire: Wire, index: number): boolean {
  return torrent._request(wire, index, false);
}
/** write-backpressure.ts */
export const replaceStorePut = (store: TorrentStore, make: Replace<TorrentStore['put']>) => replaceMethod(store, 'put', make);

/** piece-picker.ts (null until the metadata is in). */
export function rarityMapOf(torrent: Torrent): RarityMap | null {
  return torrent._rarityMap ?? null;
}
/** piece-picker.ts: how many peers have each piece, and how many pieces there are. */
export const pieceAvailability = (rarity: RarityMap): { counts: number[]; pieceCount: number } => ({ counts: rarity._pieces, pieceCount: rarity._numPieces });

/** piece-picker.ts, end-game.ts: a block of the piece is not reserved by any wire (or was cancelled). */
export function hasRequestableBlock(piece: TorrentPiece | null | undefined): boolean {
  if (!piece) return false;
  return piece._reservations < piece._chunks || (piece._cancellations?.length ?? 0) > 0;
}
/** piece-picker.ts: some block of the piece has been asked for. */
export const isPieceStarted = (piece: TorrentPiece): boolean => piece._reservations > 0;

/** torrent-peers.ts: webtorrent's peers (their connection id and wire). */
export function torrentPeers(torrent: Torrent): Iterable<InternalPeer> {
  return torrent._peers?.values() ?? [];
}

/** link-pipeline.ts: the wire's speed meter, which bittorrent-protocol feeds with each block's bytes. */
export const replaceDownloadSpeed = (wire: Wire, make: Replace<Wire['downloadSpeed']>) => replaceMethod(wire, 'downloadSpeed', make);
/** super-seeder.ts */
export const replaceHaveAll = (wire: Wire & { haveAll(): void }, make: Replace<() => void>) => replaceMethod(wire, 'haveAll', make);

/** wire-message-limit.ts: patches how every wire reads a message's 4-byte length. */
export function replaceOnMessageLength<P extends { _onMessageLength(buffer: Uint8Array): void }>(prototype: P, make: Replace<P['_onMessageLength']>): void {
  const original = prototype._onMessageLength;
  prototype._onMessageLength = make(original);
}

type PieceIndexHandler = (this: { destroy(): void }, index: number) => void;

/** wire-piece-index-limit.ts: bittorrent-protocol's handlers of `have` and BEP 6 `suggest`, which pass a piece index on. */
export function replacePieceIndexHandlers(prototype: object, make: (original: PieceIndexHandler) => PieceIndexHandler): void {
  const handlers = prototype as { _onHave: PieceIndexHandler; _onSuggest: PieceIndexHandler };
  handlers._onHave = make(handlers._onHave);
  handlers._onSuggest = make(handlers._onSuggest);
}

/** wire-outgoing-limit.ts, wire-request-limit.ts: bytes the wire has queued for the peer (streamx). */
export function outgoingBufferedBytes(wire: object): number {
  return (wire as { _readableState: { buffered: number } })._readableState.buffered;
}

/**
 * torrent-piece keeps each received block (a view into the decrypted frame it came in) until
 * the piece is complete, then joins them into a zero-filled new buffer. The views keep their
 * 64 KiB frames alive through several young-generation collections, so they are promoted and
 * cost full mark-compacts, and every byte is zeroed before it is copied. Here each block is
 * copied at once into the piece's own uninitialised buffer, from piece-buffers.ts (flush()
 * returns it after every block was written), and the frame dies young. Same fields and results otherwise.
 */
interface AssembledPiece {
  length: number;
  missing: number;
  sources: unknown[] | null;
  _chunks: number;
  _buffered: number;
  _buffer: (Uint8Array | undefined)[] | null;
  _cancellations: number[] | null;
  _flushed: boolean;
  _assembly?: Buffer;
  init(): boolean;
  chunkLength(i: number): number;
  set(i: number, data: Uint8Array, source: unknown): boolean;
  flush(): Uint8Array | null;
}

let isAssemblyInstalled = false;

/** get-session.ts (once per process): pieces are assembled in place as their blocks arrive. */
export async function assemblePiecesInPlace(): Promise<void> {
  if (isAssemblyInstalled) return;
  const { default: Piece } = await import('torrent-piece');
  const prototype = Piece.prototype as AssembledPiece;
  prototype.set = function (this: AssembledPiece, i: number, data: Uint8Array, source: unknown): boolean {
    if (!this.init()) return false;
    const buffered = this._buffer!;
    for (let at = 0, k = i; at < data.length && k < this._chunks; at += BLOCK_BYTES, k++) {
      if (buffered[k]) continue;
      const block = data.subarray(at, at + BLOCK_BYTES);
      const assembly = (this._assembly ??= takePieceBuffer(this.length));
      const start = k * BLOCK_BYTES;
      const bytes = this.chunkLength(k);
      assembly.set(block.length > bytes ? block.subarray(0, bytes) : block, start);
      // A short block cannot come from bittorrent-protocol (answers match the requested length); never leave old memory in a piece.
      if (block.length < bytes) assembly.fill(0, start + block.length, start + bytes);
      buffered[k] = assembly.subarray(start, start + bytes);
      this._buffered++;
      this.missing -= Math.min(block.length, bytes);
      if (!this.sources!.includes(source)) this.sources!.push(source);
    }
    return this._buffered === this._chunks;
  };
  prototype.flush = function (this: AssembledPiece): Uint8Array | null {
    if (!this._buffer || this._chunks !== this._buffered) return null;
    const piece = this._assembly!;
    this._assembly = undefined;
    this._buffer = null;
    this._cancellations = null;
    this.sources = null;
    this._flushed = true;
    return piece;
  };
  isAssemblyInstalled = true;
}
