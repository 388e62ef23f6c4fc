/**
 * The sending half of a SecureChannel: everything it puts on the raw duplex. It seals the
 * stream's writes into frames (frame-packer.ts) in one corked write, holds a write while the
 * channel is still opening, waits for the socket's 'drain' when the socket is full, sends
 * records, PING / ALIVE and the end frame, and ends the raw connection. SecureChannel
 * decides when each may happen (its phase); this class knows only how.
 */
import type { Duplex } from 'node:stream';
import { packFrames } from './frame-packer.js';
import type { ControlFrameType } from './frame-types.js';
import type { FrameSealer } from './transport-cipher.js';

/** How long a peer gets to read what we sent last (a refusal, our end) before the socket is destroyed. */
export const GRACEFUL_CLOSE_MS = 2000;

/**
 * A PING is answered only while less than this is queued towards the peer: a peer that
 * pings without reading cannot make us buffer answers without bound (queued data, when
 * the peer reads it, shows life as well as an ALIVE would).
 */
export const MAX_CONTROL_BACKLOG_BYTES = 256 * 1024;

export type WriteCallback = (error?: Error | null) => void;

export class ChannelWriter {
  /** When we last wrote a frame (Date.now()). */
  lastSentMs = Date.now();
  /** True once our end frame is out: nothing more is sealed in our direction. */
  hasEnded = false;

  private heldWrite?: () => void;
  private waitingWrite?: { cb: WriteCallback; onDrain: () => void };

  constructor(private readonly raw: Duplex, private readonly sealer: FrameSealer) {}

  /** True when more than MAX_CONTROL_BACKLOG_BYTES wait to go out to the peer. */
  get isBacklogged(): boolean {
    return this.raw.writableLength > MAX_CONTROL_BACKLOG_BYTES;
  }

  /** Seals a session record (ACCEPT or REFUSE); with `isLast`, our FIN follows it. */
  sendRecord(record: Buffer, isLast = false): void {
    if (isLast) this.raw.end(this.sealer.seal(record));
    else this.raw.write(this.sealer.seal(record));
  }

  /** Seals a PING or ALIVE, unless more than MAX_CONTROL_BACKLOG_BYTES are queued (then false). */
  sendControl(type: ControlFrameType): boolean {
    if (this.isBacklogged) return false;
    this.raw.write(this.sealer.seal(Buffer.from([type])));
    this.lastSentMs = Date.now();
    return true;
  }

  /** Our authenticated end (an empty frame), sent at most once. */
  sendEnd(): void {
    if (this.hasEnded) return;
    this.hasEnded = true;
    this.raw.write(this.sealer.seal());
  }

  /** Seals a batch of writes into frames (frame-packer.ts), one corked vectored write. */
  writeBatch(batch: Buffer[], cb: WriteCallback): void {
    // Corked, the pieces of all frames go out in one vectored write (no copy, one syscall).
    this.raw.cork();
    const isFlowing = packFrames(batch, this.sealer, (piece) => this.raw.write(piece));
    this.raw.uncork();
    this.lastSentMs = Date.now();
    if (isFlowing) return cb(null);
    const onDrain = () => {
      this.waitingWrite = undefined;
      cb(null);
    };
    this.waitingWrite = { cb, onDrain };
    this.raw.once('drain', onDrain);
  }

  /** Keeps a write (or the end) back until the channel opens (runHeld) or closes (release). */
  hold(write: () => void): void {
    this.heldWrite = write;
  }

  runHeld(): void {
    const held = this.heldWrite;
    this.heldWrite = undefined;
    held?.();
  }

  /**
   * Completes a write that waits for the socket (for drain, or for the channel to open)
   * with the close error; a held write runs again and finds the channel closed.
   */
  release(failure: () => Error | null): void {
    const waiting = this.waitingWrite;
    this.waitingWrite = undefined;
    if (waiting) {
      this.raw.off('drain', waiting.onDrain);
      waiting.cb(failure());
    }
    this.runHeld();
  }

  /**
   * Ends the raw connection with a FIN and lets the peer answer for GRACEFUL_CLOSE_MS
   * before destroying it.
   */
  endGracefully(): void {
    this.raw.end();
    // Cleared at the close: the timer would otherwise keep the whole channel reachable
    // for 2 s after an orderly close (a flood of short links then fills the old heap).
    const raw = this.raw;
    const linger = setTimeout(() => raw.destroy(), GRACEFUL_CLOSE_MS).unref();
    raw.once('close', () => clearTimeout(linger));
    // Lingering for the peer's answer must not keep a finishing process (get, /quit) alive.
    (this.raw as Duplex & { unref?: () => void }).unref?.();
  }
}
