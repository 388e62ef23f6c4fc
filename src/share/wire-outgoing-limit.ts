/**
 * Backpressure from a wire's outgoing side to its incoming side. bittorrent-protocol 4.1.21
 * parses every incoming byte at once (its _write calls back immediately) and pushes its
 * answers without looking at push()'s result, so a peer that sends and never reads makes
 * the outgoing buffer grow for as long as it sends: blocks, metadata pieces, rejects.
 *
 * Here a write is not called back while the outgoing buffer holds READ_PAUSE_HIGH_WATER_BYTES
 * or more; webtorrent's pipeline then stops reading the link, the secure channel stops
 * reading its socket, and the peer's own sends block. It is called back (and queued
 * requests are answered again, wire-request-limit.ts) once the peer has read the buffer
 * down, i.e. when streamx asks the wire for more data (`_read`), or when the wire ends.
 *
 * The mark is above what an honest peer can make us queue (wire-request-limit.ts answers
 * at most ANSWER_HIGH_WATER_BYTES + MAX_ANSWERING_REQUESTS blocks ahead of the peer), so two
 * honest peers sending each other pieces never both stop reading and deadlock.
 */
import { outgoingBufferedBytes } from './webtorrent-internals.js';
import { answerQueuedRequests, ANSWER_HIGH_WATER_BYTES, MAX_ANSWERING_REQUESTS, type RequestLimitedWire } from './wire-request-limit.js';

/** The largest block webtorrent serves (it drops a peer asking for more). */
const MAX_BLOCK_BYTES = 128 * 1024;
export const READ_PAUSE_HIGH_WATER_BYTES = ANSWER_HIGH_WATER_BYTES + MAX_ANSWERING_REQUESTS * MAX_BLOCK_BYTES + 1024 * 1024;

type Callback = (error?: Error | null) => void;

interface OutgoingLimitedWire extends RequestLimitedWire {
  _write(data: Uint8Array, cb: Callback): void;
  _read(cb: Callback): void;
  end(data?: Uint8Array): unknown;
  _heldWrite?: Callback;
  _isEnding?: boolean;
}

function releaseHeldWrite(wire: OutgoingLimitedWire): void {
  const held = wire._heldWrite;
  wire._heldWrite = undefined;
  held?.(null);
}

let isInstalled = false;

/** Patches the Wire class webtorrent uses (once per process). */
export async function limitWireOutgoing(): Promise<void> {
  if (isInstalled) return;
  const { default: WireClass } = await import('bittorrent-protocol');
  const prototype = WireClass.prototype as unknown as OutgoingLimitedWire;
  const write = prototype._write;
  const read = prototype._read;
  const end = prototype.end;
  prototype._write = function (this: OutgoingLimitedWire, data: Uint8Array, cb: Callback) {
    write.call(this, data, (error) => {
      if (error || this._isEnding || outgoingBufferedBytes(this) < READ_PAUSE_HIGH_WATER_BYTES) return cb(error);
      this._heldWrite = cb;
    });
  };
  prototype._read = function (this: OutgoingLimitedWire, cb: Callback) {
    releaseHeldWrite(this);
    answerQueuedRequests(this);
    read.call(this, cb);
  };
  // A held write would keep streamx from ever finishing the wire (Wire#destroy only ends it).
  prototype.end = function (this: OutgoingLimitedWire, data?: Uint8Array) {
    this._isEnding = true;
    releaseHeldWrite(this);
    return end.call(this, data);
  };
  isInstalled = true;
}
