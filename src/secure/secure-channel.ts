/**
 * One authenticated, encrypted connection after the Noise handshake: it opens sealed frames
 * (transport-cipher.ts) from the raw duplex into its stream; channel-writer.ts seals the
 * stream's writes when this class allows. The channel request rode in handshake message 1;
 * the responder's ACCEPT or REFUSE record (session-records.ts) is its first frame, and no
 * application byte moves before ACCEPT.
 *
 * Any failure (a frame that does not authenticate, an oversized frame, bytes after the end
 * marker, the raw connection ending without the end marker) destroys the channel and the
 * raw connection; nothing from the failing frame onwards is delivered.
 *
 * After the channel opens, each frame's plaintext starts with a type byte (frame-types.ts);
 * net/link-liveness.ts decides when to send PING / ALIVE and when a silent link is dead;
 * this class answers PINGs and records when it last heard anything; the writer, sent.
 *
 * Ending (docs/protocol.md section 4): a link closed on purpose (close(), or the stream
 * destroyed by its user) sends the end frame before its TCP FIN, and a node that receives
 * an end frame answers with its own once its queued writes are out. So both sides of every
 * orderly close see an authenticated end, and a bare FIN always means a cut connection.
 */
import type { Duplex } from 'node:stream';
import { FrameDecoder, MAX_FRAME_BYTES } from './frame-codec.js';
import { decodeRecord, encodeAccept, encodeRefuse, type SessionRecord } from './session-records.js';
import { errors } from '../errors.js';
import type { HandshakeResult } from './swarm-handshake.js';
import { createStreamxDuplex, type StreamxDuplex } from './streamx-duplex.js';
import { FrameType, readTypedFrame, type ControlFrameType } from './frame-types.js';
import { ChannelWriter, GRACEFUL_CLOSE_MS, type WriteCallback } from './channel-writer.js';
import type { FrameOpener } from './transport-cipher.js';

/** Deep enough that a 64 KiB frame does not immediately pause the socket. */
const HIGH_WATER_MARK_BYTES = 512 * 1024;

type Phase = 'opening' | 'open' | 'closed';

export interface SecureChannelOptions {
  isInitiator: boolean;
  maxFrameBytes?: number;
}

export class SecureChannel {
  readonly remoteKey: Buffer;
  readonly isInitiator: boolean;
  readonly handshakeHash: Buffer;
  /** Decrypted application bytes; no message boundaries are promised. */
  readonly stream: StreamxDuplex;
  /** The channel name ("chat", "torrent <hex>"), once opened. */
  channel = '';
  /** Why the channel closed, if it failed. */
  closeError?: Error;
  /** When any byte last arrived from the peer (Date.now()). */
  lastHeardMs = Date.now();

  private phase: Phase = 'opening';
  private readonly writer: ChannelWriter;
  private readonly opener: FrameOpener;
  private readonly decoder: FrameDecoder;
  private onRecord?: (record: SessionRecord) => void;
  private hasRemoteEnded = false;
  /** Bytes written to `stream` that streamx has not yet handed to writeBatch. */
  private queuedBytes = 0;
  private isEndingForClose = false;

  constructor(private readonly raw: Duplex, handshake: HandshakeResult, options: SecureChannelOptions) {
    this.remoteKey = handshake.remoteKey;
    this.handshakeHash = handshake.handshakeHash;
    this.writer = new ChannelWriter(raw, handshake.sealer);
    this.opener = handshake.opener;
    this.isInitiator = options.isInitiator;
    this.decoder = new FrameDecoder(options.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.stream = createStreamxDuplex({
      highWaterMark: HIGH_WATER_MARK_BYTES,
      mapWritable: (data) => {
        const buffer = typeof data === 'string' ? Buffer.from(data) : (data as Uint8Array);
        this.queuedBytes += buffer.length;
        return buffer;
      },
      read: (cb) => {
        this.raw.resume();
        cb(null);
      },
      writev: (batch, cb) => {
        for (const buffer of batch) this.queuedBytes -= buffer.length;
        this.writeBatch(batch, cb);
      },
      final: (cb) => this.writeEnd(cb),
      // streamx waits for an unfinished write before _destroy; a write waiting for a
      // 'drain' that a dead socket never emits would then keep the link half-closed forever.
      predestroy: () => {
        this.teardown();
        this.writer.release(() => this.writeFailure());
      },
      destroy: (cb) => {
        this.teardown();
        cb(null);
      },
    });
    raw.on('data', (chunk: Buffer) => this.receive(chunk));
    raw.on('end', () => {
      // Checked before the error is built: after our own close, the peer's FIN is expected.
      if (!this.hasRemoteEnded && this.phase !== 'closed') this.fail(errors.truncated());
    });
    raw.on('error', (error: Error) => this.fail(error));
    raw.on('close', () => {
      if (this.phase !== 'closed') this.fail(this.hasRemoteEnded ? undefined : errors.connectionClosed());
    });
  }

  /** Starts reading; `leftover` is whatever arrived after the last handshake message. */
  start(leftover: Buffer, onRecord: (record: SessionRecord) => void): void {
    this.onRecord = onRecord;
    if (leftover.length > 0) this.receive(leftover);
    this.raw.resume();
  }

  /** Responder: accept the channel; application bytes may flow from now on. */
  accept(): void {
    this.writer.sendRecord(encodeAccept());
    this.markOpen();
  }

  /** Responder: tell the initiator why, then close. */
  refuse(reason: string, error: Error): void {
    if (this.phase === 'closed') return;
    this.writer.sendRecord(encodeRefuse(reason), true);
    this.fail(error, { isGraceful: true });
  }

  markOpen(): void {
    if (this.phase !== 'opening') return;
    this.phase = 'open';
    this.writer.runHeld();
  }

  /** Ends the link on purpose: our end frame, then FIN (the peer answers with its own). */
  close(): void {
    // Both directions may have ended in order already (the peer's end frame answered) while
    // nobody read the stream to its end, so it is not destroyed yet: closing still ends it,
    // or its 'close' never comes (a losing dial of a simultaneous open stayed listed).
    if (this.phase === 'closed') {
      if (!this.stream.destroyed) this.stream.destroy();
      return;
    }
    // A stalled link (the peer is not reading what we send, or we stopped reading it, as
    // from a flooder) would not get the end frame soon and must not keep our buffers for
    // the linger: abort at once instead.
    // A few frames still queued are not a stall: they are what was written just before the
    // close (a getter's last `have`), and the end frame must go after them, not abort them.
    const isStalled = this.writer.isBacklogged || this.raw.readableLength > 0 || this.raw.isPaused();
    if (this.phase !== 'open' || isStalled) return this.fail(undefined);
    // Writes still queued in the stream (a chat line flushed just before /quit, a relay's
    // last bytes before the end it passes on) go first: the end frame follows them through
    // the stream's own end, and a peer that does not take them in time is cut off.
    // (Not when the stream is being destroyed: streamx drops its queue then, as asked.)
    if (this.queuedBytes > 0 && !this.writer.hasEnded && !this.isEndingForClose && !this.stream.destroying) {
      this.isEndingForClose = true;
      const timer = setTimeout(() => this.fail(undefined), GRACEFUL_CLOSE_MS).unref();
      // streamx has handed every write to writeBatch and sent the end frame (writeEnd):
      // close as gracefully as a close with nothing queued, without checking for a stall
      // again (a reader that paused meanwhile must not cost it the tail just flushed).
      this.stream.once('finish', () => {
        clearTimeout(timer);
        if (this.phase === 'closed') return;
        this.writer.sendEnd();
        this.fail(undefined, { isGraceful: true });
      });
      this.stream.once('close', () => clearTimeout(timer));
      this.stream.end();
      return;
    }
    this.writer.sendEnd();
    this.fail(undefined, { isGraceful: true });
  }

  /** Destroys channel and connection. With an error, it is kept in closeError and emitted if anyone listens. */
  fail(error: Error | undefined, options: { isGraceful?: boolean } = {}): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.closeError = error;
    if (options.isGraceful) this.writer.endGracefully();
    else this.raw.destroy();
    this.writer.release(() => this.writeFailure());
    if (error && this.stream.listenerCount('error') > 0) this.stream.destroy(error);
    else this.stream.destroy();
  }

  /** True once the channel is open and we may still send in our direction. */
  get canSend(): boolean {
    return this.phase === 'open' && !this.writer.hasEnded;
  }

  /** When we last wrote a frame (Date.now()). */
  get lastSentMs(): number {
    return this.writer.lastSentMs;
  }

  /** True after the peer sent its authenticated end: nothing more can come, not even a PING. */
  get hasPeerEnded(): boolean {
    return this.hasRemoteEnded;
  }

  /** True while we stopped reading (our reader is full): silence from the peer proves nothing then. */
  get isReadPaused(): boolean {
    return this.raw.isPaused();
  }

  /**
   * Sends a PING (the peer answers ALIVE at once) or an ALIVE (answered by nothing).
   * Skipped, returning false, when the channel cannot send or much is already queued.
   */
  sendControl(type: ControlFrameType): boolean {
    return this.canSend && this.writer.sendControl(type);
  }

  private receive(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.lastHeardMs = Date.now();
    try {
      for (const parts of this.decoder.pushParts(chunk)) {
        const pieces = this.opener.openParts(parts);
        if (this.hasRemoteEnded) throw errors.badFrame();
        if (this.phase === 'opening') {
          // One record, the responder's answer (a responder's channel is open before it
          // reads); the initiator opens at once on ACCEPT because the responder's first
          // data frames may be in this same chunk.
          const onRecord = this.onRecord;
          this.onRecord = undefined;
          if (!onRecord) throw errors.badHandshake('data before the channel was accepted');
          const record = decodeRecord(Buffer.concat(pieces));
          if (this.isInitiator && record.type === 'accept') this.markOpen();
          onRecord(record);
        } else if (pieces.length === 0) {
          this.hasRemoteEnded = true;
          this.stream.push(null);
          // The answer: our end frame once what is queued has gone out (writeEnd).
          if (!this.writer.hasEnded) this.stream.end();
          this.endRawIfDone();
        } else {
          this.receiveTyped(pieces);
        }
        if ((this.phase as Phase) === 'closed') return;
      }
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** An opened channel's frame: data is delivered (without its type byte), PING answered, ALIVE only heard. */
  private receiveTyped(pieces: Buffer[]): void {
    const frame = readTypedFrame(pieces);
    if ('control' in frame) {
      if (frame.control === FrameType.ping) this.sendControl(FrameType.alive);
      return;
    }
    let isFlowing = true;
    for (const piece of frame.data) isFlowing = this.stream.push(piece);
    if (!isFlowing) this.raw.pause();
  }

  private writeBatch(batch: Buffer[], cb: WriteCallback): void {
    if (this.phase === 'opening') return this.writer.hold(() => this.writeBatch(batch, cb));
    if (this.phase === 'closed') return cb(this.writeFailure());
    this.writer.writeBatch(batch, cb);
  }

  /**
   * The error a write fails with once the channel is closed. A failed write makes streamx
   * emit 'error', which would be uncaught without a listener: the stream promises 'error'
   * only to those who listen (net/peer-link.ts), so the others see just 'close'.
   */
  private writeFailure(): Error | null {
    return this.stream.listenerCount('error') > 0 ? (this.closeError ?? errors.connectionClosed()) : null;
  }

  private writeEnd(cb: WriteCallback): void {
    const sendEnd = () => {
      if (this.phase === 'closed') return cb(null);
      this.writer.sendEnd();
      this.endRawIfDone();
      cb(null);
    };
    if (this.phase === 'opening') this.writer.hold(sendEnd);
    else sendEnd();
  }

  private endRawIfDone(): void {
    // Both directions sent their authenticated end: close the TCP connection gracefully.
    if (this.writer.hasEnded && this.hasRemoteEnded) {
      this.phase = 'closed';
      this.raw.end();
    }
  }

  /** The stream was destroyed by its user (webtorrent, chat): an orderly close, so end it as one. */
  private teardown(): void {
    if (this.phase === 'open') this.close();
    else if (this.phase !== 'closed') {
      this.phase = 'closed';
      this.raw.destroy();
    }
  }
}
