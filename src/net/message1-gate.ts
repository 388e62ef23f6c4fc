/**
 * The first read of every inbound connection: the checks of handshake v2 that need no key
 * agreement (docs/protocol.md section 1, checks 1 and 2), done before the node spends
 * anything on the connection. A forged message 1 is the cheapest thing to send and may
 * come by the thousand, so until its mac1 is valid a connection gets no timer, no promise,
 * no Error, no event and no per-connection closure: one shared 'data' listener, one entry
 * in an insertion-ordered map (its accept time, for the deadline), and one HMAC.
 *
 *   marker "SWARM" 0x02 and a valid mac1  ->  handed on (secureInbound) with the bytes read
 *   "SWARM" 0x01 (a v1 initiator)        ->  silent, reported once (PROTOCOL_VERSION)
 *   anything else, or a wrong mac1       ->  silent, counted (NOT_SWARM_PEER, BAD_MAC1)
 *   nothing complete by the deadline     ->  closed, counted (HANDSHAKE_TIMEOUT)
 *   closed by the peer before that       ->  counted by the caller (CONNECTION_CLOSED)
 *
 * Silent connections are read and discarded until the peer closes or the deadline passes,
 * then closed (FIN): the same silence as a refusal after the Diffie-Hellman. The deadlines
 * share one timer: every connection has the same timeout and the map is in accept order,
 * so the oldest entry is always the next to expire.
 */
import type { Socket } from 'node:net';
import { mac1Checker } from '../secure/handshake-macs.js';
import { MARKER_BYTES, MESSAGE1_BYTES, V1_PREAMBLE, V2_MARKER } from '../secure/handshake-wire.js';

/** How long a connection that has sent nothing keeps its pending slot against a newcomer from its address. */
export const IDLE_EXPENDABLE_MS = 100;

export type SilentCode = 'BAD_MAC1' | 'NOT_SWARM_PEER' | 'PROTOCOL_VERSION' | 'HANDSHAKE_TIMEOUT';

export interface Message1GateOptions {
  /** The node's Ed25519 key: mac1 is keyed by it. */
  ownKey: Uint8Array;
  timeoutMs: number;
  /** A message 1 with a valid mac1 arrived: `bytes` is everything read so far (307 or more). */
  onPass: (socket: Socket, bytes: Buffer, acceptedMs: number) => void;
  /** A connection turned silent (or timed out); only counted by the caller. */
  onSilent: (socket: Socket, code: SilentCode) => void;
  now?: () => number;
}

export class Message1Gate {
  // Socket -> accept time (ms); negative (−time − 1) once the connection is silent.
  private readonly deadlines = new Map<Socket, number>();
  // Only connections whose first bytes came in pieces have an entry (rare but possible).
  private readonly partial = new Map<Socket, Buffer>();
  private readonly hasValidMac1: (message: Buffer) => boolean;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private readonly onData: (this: Socket, chunk: Buffer) => void;

  constructor(private readonly options: Message1GateOptions) {
    this.hasValidMac1 = mac1Checker(options.ownKey);
    this.now = options.now ?? (() => Math.floor(performance.now()));
    const gate = this;
    // One function for every connection: the socket is `this`, so nothing is allocated per connection.
    this.onData = function (this: Socket, chunk: Buffer) {
      gate.read(this, chunk);
    };
  }

  /** Starts reading a freshly accepted connection. */
  admit(socket: Socket): void {
    this.deadlines.set(socket, this.now());
    socket.on('data', this.onData);
    if (this.timer === undefined) this.arm();
  }

  /**
   * How little is lost by closing the connection to make room for another from its address
   * (pending-connections.ts): 2 once it is silent (it failed the checks), 1 when it has sent
   * nothing for IDLE_EXPENDABLE_MS, 0 otherwise: it has sent bytes that may be a message 1,
   * or passed mac1 (a handshake in progress), or is too fresh to tell. An initiator sends
   * message 1 with its first ACK, so it is read within the event-loop turn or so after the
   * accept; a newcomer in the same burst of accepts must not take its slot before that.
   */
  expendability(socket: Socket): number {
    const value = this.deadlines.get(socket);
    if (value === undefined) return 0;
    if (value < 0) return 2;
    return socket.bytesRead === 0 && !this.partial.has(socket) && this.now() - value >= IDLE_EXPENDABLE_MS ? 1 : 0;
  }

  /** The connection closed: forget it. True if it was still waiting for its message 1. */
  forget(socket: Socket): boolean {
    const value = this.deadlines.get(socket);
    this.deadlines.delete(socket);
    this.partial.delete(socket);
    return value !== undefined && value >= 0;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.deadlines.clear();
    this.partial.clear();
  }

  private read(socket: Socket, chunk: Buffer): void {
    // A silent connection keeps this listener (swapping listeners costs more): it discards.
    if (!(this.deadlines.get(socket)! >= 0)) return;
    const earlier = this.partial.get(socket);
    const bytes = earlier ? Buffer.concat([earlier, chunk]) : chunk;
    // The cheapest checks first: the marker as soon as it is complete, then the length, then mac1.
    if (bytes.length >= MARKER_BYTES && !startsWith(bytes, V2_MARKER)) {
      return this.silence(socket, startsWith(bytes, V1_PREAMBLE) ? 'PROTOCOL_VERSION' : 'NOT_SWARM_PEER');
    }
    if (bytes.length < MESSAGE1_BYTES) return void this.partial.set(socket, bytes);
    if (earlier) this.partial.delete(socket);
    if (!this.hasValidMac1(bytes)) return this.silence(socket, 'BAD_MAC1');
    const acceptedMs = this.deadlines.get(socket)!;
    this.deadlines.delete(socket);
    // Paused so no chunk is emitted between this listener and the handshake's own.
    socket.pause();
    socket.off('data', this.onData);
    this.options.onPass(socket, bytes, acceptedMs);
  }

  private silence(socket: Socket, code: SilentCode): void {
    this.partial.delete(socket);
    // It reads on (read() discards), which keeps the receive buffer empty, so the eventual
    // close is a FIN, never an RST.
    const acceptedMs = this.deadlines.get(socket);
    if (acceptedMs !== undefined && acceptedMs >= 0) this.deadlines.set(socket, -acceptedMs - 1);
    this.options.onSilent(socket, code);
  }

  /** One timer for all: it fires at the oldest connection's deadline. */
  private arm(): void {
    const oldest = this.deadlines.values().next();
    if (oldest.done) return;
    const acceptedMs = oldest.value < 0 ? -oldest.value - 1 : oldest.value;
    this.timer = setTimeout(() => this.expire(), Math.max(1, acceptedMs + this.options.timeoutMs - this.now()));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    const nowMs = this.now();
    for (const [socket, value] of this.deadlines) {
      const acceptedMs = value < 0 ? -value - 1 : value;
      if (acceptedMs + this.options.timeoutMs > nowMs) break;
      this.forget(socket);
      if (value >= 0) this.options.onSilent(socket, 'HANDSHAKE_TIMEOUT');
      socket.destroy();
    }
    this.arm();
  }
}

/** Byte by byte in JS: six bytes cost less than a call into compare(). */
function startsWith(bytes: Buffer, marker: Buffer): boolean {
  for (let i = 0; i < MARKER_BYTES; i++) if (bytes[i] !== marker[i]) return false;
  return true;
}
