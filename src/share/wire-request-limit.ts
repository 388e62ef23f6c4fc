/**
 * What a peer's `request`s can make us hold (issue 9). bittorrent-protocol 4.1.21 queues
 * every request without limit and webtorrent reads every one from the store at once; the
 * answers then wait in the wire's outgoing buffer for as long as the peer does not read.
 * webtorrent's store (cache-chunk-store) answers a block with a view into its whole piece,
 * so each waiting 16 KiB block also kept a whole piece (1 MiB for a 1 GiB share) alive:
 * a trusted peer sending 10,000 requests and reading nothing grew a sharer by 1.3 GiB.
 *
 * Here, replacing Wire#_onRequest (same checks and messages otherwise):
 * - at most MAX_QUEUED_REQUESTS requests of at most MAX_QUEUED_REQUEST_BYTES in all are
 *   queued per wire; we advertise the count as `reqq` (BEP 10), which webtorrent's request
 *   pipeline honours, so an honest peer never goes over. Anything over is rejected (BEP 6
 *   reject_request; dropped when the fast extension is off), and after
 *   MAX_OVERFLOW_REQUESTS such requests the wire emits 'request-flood' and is destroyed;
 * - at most MAX_ANSWERING_REQUESTS are being read from the store at once, and none is
 *   started while the wire's outgoing buffer holds ANSWER_HIGH_WATER_BYTES or more: blocks
 *   for a link that is not read are not read either;
 * - a block that is a view into a larger buffer is copied before it is queued, so a
 *   waiting block holds its own bytes, not its piece.
 */
import { outgoingBufferedBytes } from './webtorrent-internals.js';

/**
 * Advertised as reqq, the most requests a peer keeps in flight to us (link-pipeline.ts sizes
 * each pipeline up to it): 16 MiB of 16 KiB blocks carry ~80 MB/s over a 200 ms round trip.
 * A queued request costs a small record, not its block (at most MAX_ANSWERING_REQUESTS are
 * being read at once).
 */
export const MAX_QUEUED_REQUESTS = 1024;
export const MAX_QUEUED_REQUEST_BYTES = 16 * 1024 * 1024;
/** Requests over the cap a peer may send (in all) before its link is ended. */
export const MAX_OVERFLOW_REQUESTS = 64;
export const MAX_ANSWERING_REQUESTS = 8;
export const ANSWER_HIGH_WATER_BYTES = 2 * 1024 * 1024;

const REJECT_REQUEST = 0x10;

type Respond = (error: Error | null, block?: Uint8Array) => void;

interface QueuedRequest {
  piece: number;
  offset: number;
  length: number;
  callback: Respond;
  isStarted?: boolean;
}

export interface RequestLimitedWire {
  amChoking: boolean;
  hasFast: boolean;
  destroyed: boolean;
  allowedFastSet: number[];
  peerRequests: QueuedRequest[];
  extendedHandshake: Record<string, unknown>;
  _pull(requests: QueuedRequest[], piece: number, offset: number, length: number): QueuedRequest | null;
  _message(id: number, numbers: number[], data: Uint8Array | null): void;
  _sendExtendedHandshake(): void;
  reject(piece: number, offset: number, length: number): void;
  piece(piece: number, offset: number, block: Uint8Array): void;
  emit(event: string, ...args: unknown[]): boolean;
  destroy(): unknown;
  _answering?: number;
  _overflowRequests?: number;
  _isFlooding?: boolean;
}

function queuedBytes(wire: RequestLimitedWire): number {
  let bytes = 0;
  for (const request of wire.peerRequests) bytes += request.length;
  return bytes;
}

/**
 * A block that shares memory with a larger buffer (a piece in the store's cache) is copied,
 * into an uninitialised buffer: slice() would zero-fill every served byte before copying it.
 */
function ownBytes(block: Uint8Array): Uint8Array {
  if (block.byteLength === block.buffer.byteLength) return block;
  const own = Buffer.allocUnsafe(block.byteLength);
  own.set(block);
  return own;
}

function onOverflow(wire: RequestLimitedWire, piece: number, offset: number, length: number): void {
  // Not reject(): that would also drop a queued request for the same block.
  if (wire.hasFast) wire._message(REJECT_REQUEST, [piece, offset, length], null);
  wire._overflowRequests = (wire._overflowRequests ?? 0) + 1;
  if (wire._overflowRequests > MAX_OVERFLOW_REQUESTS) {
    wire._isFlooding = true;
    wire.emit('request-flood');
    wire.destroy();
  }
}

/** Starts answering queued requests while there is room for their blocks. */
export function answerQueuedRequests(wire: RequestLimitedWire): void {
  while ((wire._answering ?? 0) < MAX_ANSWERING_REQUESTS && outgoingBufferedBytes(wire) < ANSWER_HIGH_WATER_BYTES) {
    if (wire.destroyed || wire._isFlooding) return;
    // Started requests are the oldest, at the front: this finds the next one in a few steps.
    // (A respond() called synchronously removes entries, so no iterator is kept across emit.)
    const request = wire.peerRequests.find((queued) => !queued.isStarted);
    if (!request) return;
    request.isStarted = true;
    wire._answering = (wire._answering ?? 0) + 1;
    wire.emit('request', request.piece, request.offset, request.length, request.callback);
  }
}

function onRequest(this: RequestLimitedWire, piece: number, offset: number, length: number): void {
  if (this._isFlooding) return;
  if (this.amChoking && !(this.hasFast && this.allowedFastSet.includes(piece))) {
    // BEP 6: a request while choked is rejected unless the piece is in the allowed fast set.
    if (this.hasFast) this.reject(piece, offset, length);
    return;
  }
  if (this.peerRequests.length >= MAX_QUEUED_REQUESTS || queuedBytes(this) + length > MAX_QUEUED_REQUEST_BYTES) {
    return onOverflow(this, piece, offset, length);
  }
  let isAnswered = false;
  const respond: Respond = (error, block) => {
    if (isAnswered) return;
    isAnswered = true;
    this._answering = (this._answering ?? 1) - 1;
    if (request === this._pull(this.peerRequests, piece, offset, length)) {
      if (error || !block) {
        if (this.hasFast) this.reject(piece, offset, length);
      } else {
        this.piece(piece, offset, ownBytes(block));
      }
    }
    answerQueuedRequests(this);
  };
  const request: QueuedRequest = { piece, offset, length, callback: respond };
  this.peerRequests.push(request);
  answerQueuedRequests(this);
}

let isInstalled = false;

/** Patches the Wire class webtorrent uses (once per process). */
export async function limitWireRequests(): Promise<void> {
  if (isInstalled) return;
  const { default: WireClass } = await import('bittorrent-protocol');
  const prototype = WireClass.prototype as unknown as RequestLimitedWire & { _onRequest: typeof onRequest };
  prototype._onRequest = onRequest;
  const sendExtendedHandshake = prototype._sendExtendedHandshake;
  prototype._sendExtendedHandshake = function (this: RequestLimitedWire) {
    this.extendedHandshake.reqq ??= MAX_QUEUED_REQUESTS;
    return sendExtendedHandshake.call(this);
  };
  isInstalled = true;
}
