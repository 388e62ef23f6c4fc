/**
 * The accept path of a node's listener, up to a message 1 with a valid mac1: admission
 * against the pending caps (pending-connections.ts), the first read (message1-gate.ts), and
 * the bookkeeping when a connection closes. A forged message 1 is the cheapest thing to send,
 * so until mac1 passes a connection costs only what this file spends on it: two shared
 * listeners ('close', and the gate's 'data'), a set entry, a pending entry, the gate's map
 * entry and one mac1 check; its address (a getpeername) is asked for only when the
 * per-address caps can apply, and a refusal is counted without an Error or an event.
 */
import type { Socket } from 'node:net';
import { Message1Gate, type SilentCode } from './message1-gate.js';
import { PendingConnections, type PendingLimits } from './pending-connections.js';
import type { Refusal, RefusalCode } from './swarm-node-options.js';

export interface InboundGateOptions {
  /** The node's Ed25519 key: mac1 is keyed by it. */
  ownKey: Uint8Array;
  timeoutMs: number;
  limits: PendingLimits;
  /** Counts shared with the node (SwarmNode.refusalCounts). */
  refusalCounts: Map<RefusalCode, number>;
  /** mac1 passed: the node runs the rest of the handshake, then calls release() if it succeeded. */
  onPass: (socket: Socket, early: Buffer, acceptedMs: number) => void;
  /** A refusal worth an event: counted and emitted by the node. */
  onRefusal: (refusal: Refusal) => void;
  /** A v1 initiator ("SWARM" 0x01): reported once, with its own error. */
  onVersionMismatch: (socket: Socket) => void;
}

export class InboundGate {
  private readonly pending: PendingConnections<Socket>;
  private readonly gate: Message1Gate;
  // Sockets evicted after passing mac1: their handshake's failure is not reported again.
  private readonly evicted = new WeakSet<Socket>();
  // Sockets whose handshake failed after mac1 (e.g. a static key that does not decrypt, after
  // one DH): held silent like a forged message 1, and just as expendable.
  private readonly failed = new WeakSet<Socket>();
  // Every accepted socket, so close() does not wait for refused peers to read their refusal.
  private readonly sockets = new Set<Socket>();
  private readonly onSocketClose: (this: Socket) => void;
  private isClosed = false;

  constructor(private readonly options: InboundGateOptions) {
    this.gate = new Message1Gate({
      ownKey: options.ownKey,
      timeoutMs: options.timeoutMs,
      onPass: options.onPass,
      onSilent: (socket, code) => this.silenced(socket, code),
    });
    // At an address's cap a silent connection (or one that sent nothing) makes room for a newcomer.
    this.pending = new PendingConnections(options.limits, (socket) => this.expendability(socket), addressOf);
    const inbound = this;
    // One listener function for every accepted socket (the socket is `this`).
    this.onSocketClose = function (this: Socket) {
      inbound.socketClosed(this);
    };
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** The handshake of `socket` finished: it no longer holds a pending slot. */
  release(socket: Socket): void {
    this.pending.release(socket);
  }

  /**
   * The handshake of `socket` failed after mac1 passed: it is held silent until it closes
   * but is no handshake any more, so a newcomer from its address may take its slot.
   * Without this, a flood from a trusted peer's address by someone who knows the node's key
   * (valid mac1s whose static key fails after one DH, held open) kept every slot there
   * and turned the peer away for seconds (docs/benchmarks.md, keyed flood).
   */
  markFailed(socket: Socket): void {
    this.failed.add(socket);
  }

  /** True if `socket` lost its slot to a newcomer after passing mac1 (its failure is already counted). */
  wasEvicted(socket: Socket): boolean {
    return this.evicted.has(socket);
  }

  accept(socket: Socket): void {
    if (this.isClosed) return void socket.destroy();
    socket.on('error', ignoreError);
    this.sockets.add(socket);
    // A refused connection is held silent until its deadline: it keeps its pending slot until it closes.
    socket.on('close', this.onSocketClose);
    const turnedAway = this.pending.admit(socket);
    if (turnedAway.length > 0 && this.settle(socket, turnedAway)) return;
    this.gate.admit(socket);
  }

  /** Stops admitting and closes every connection still pending. */
  close(): void {
    this.isClosed = true;
    this.gate.close();
    for (const socket of this.pending.all()) socket.destroy();
  }

  /** Closes every accepted socket still open (after the node has closed its links). */
  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Closes what admission turned away; true if that was the newcomer itself. */
  private settle(socket: Socket, turnedAway: readonly Socket[]): boolean {
    for (const evicted of turnedAway) {
      evicted.destroy();
      if (evicted === socket) {
        // Turned away before reading a byte: the handshakes already pending from this address keep their slots.
        this.options.onRefusal({ code: 'PENDING_FULL', message: 'too many unauthenticated connections from this address; newcomer refused', remoteHost: addressOf(socket), remotePort: socket.remotePort ?? 0, isInbound: true });
        return true;
      }
      // One that is no handshake (failed, silent or idle) is only counted, as the gate's refusals are (no event per flood connection).
      if (this.expendability(evicted) > 0) {
        this.countOnly('PENDING_EVICTED');
        continue;
      }
      this.evicted.add(evicted);
      this.options.onRefusal({ code: 'PENDING_EVICTED', message: 'too many unauthenticated connections; evicted the oldest of the busiest network', remoteHost: addressOf(evicted), remotePort: evicted.remotePort ?? 0, isInbound: true });
    }
    return false;
  }

  /** 2: failed or silent; 1: sent nothing for a while; 0: may be a handshake in progress (message1-gate.ts). */
  private expendability(socket: Socket): number {
    return this.failed.has(socket) ? 2 : this.gate.expendability(socket);
  }

  private socketClosed(socket: Socket): void {
    this.sockets.delete(socket);
    this.pending.release(socket);
    if (this.gate.forget(socket)) this.countOnly('CONNECTION_CLOSED');
  }

  /** Checks 1-2 failed (or nothing came): counted only, no event, no Error (a flood would pay for each). */
  private silenced(socket: Socket, code: SilentCode): void {
    if (code === 'PROTOCOL_VERSION') return this.options.onVersionMismatch(socket);
    this.countOnly(code);
  }

  private countOnly(code: RefusalCode): void {
    const counts = this.options.refusalCounts;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
}

/** The peer's address: a getpeername the first time (node caches it), so asked only when needed. */
function addressOf(socket: Socket): string {
  return socket.remoteAddress ?? '?';
}

const ignoreError = (): void => {};
