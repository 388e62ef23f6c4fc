// Adapts one PeerLink on channel "chat" to a RouterLink: frames outgoing records
// (chat-record-codec.ts) and reassembles incoming ones. Records queued in the same
// tick go out in one write, so a burst costs a few encrypted frames, not one each.
// Backpressure: while the stream reports it is full (write() returned false, until
// 'drain'), records wait here; a peer that stops reading for longer than
// MAX_QUEUED_BYTES of traffic loses the link (it catches up by sync when it returns)
// rather than growing this process's memory without bound.
import { RecordDecoder, type ChatRecord } from './chat-record-codec.js';
import type { PeerLink } from '../net/peer-link.js';
import type { RouterLink } from './chat-router.js';

const MAX_WRITE_BYTES = 60 * 1024;
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export interface ChatLinkHandlers {
  onRecord(link: ChatLink, record: ChatRecord): void;
  onClose(link: ChatLink, reason?: Error): void;
}

export class ChatLink implements RouterLink {
  private readonly decoder = new RecordDecoder();
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private flushScheduled = false;
  private isCongested = false;
  private closed = false;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(readonly peer: PeerLink, private readonly handlers: ChatLinkHandlers) {
    peer.stream.on('data', (chunk: Uint8Array) => this.onData(chunk));
    peer.stream.on('drain', () => {
      this.isCongested = false;
      this.flush();
    });
    peer.stream.on('error', (error: Error) => this.finish(error));
    peer.stream.on('close', () => this.finish());
    // Closed before we listened: 'close' will not come again, so end now (after the
    // caller has registered the link), or whoever waits for the end would wait forever.
    if (peer.stream.destroyed) queueMicrotask(() => this.finish());
  }

  get remoteKey(): Uint8Array {
    return this.peer.remoteKey;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(record: Uint8Array): void {
    if (this.closed) return;
    this.queue.push(record);
    this.queuedBytes += record.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) {
      const error = new Error(`chat peer ${this.peer.remoteKeyText} is not reading; link dropped`);
      this.finish(error);
      this.peer.stream.destroy(error);
    } else if (this.isCongested) {
      return; // 'drain' flushes
    } else if (this.queuedBytes >= MAX_WRITE_BYTES) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is queued, in chunks, until the stream says it is full. */
  flush(): void {
    this.flushScheduled = false;
    let next = 0;
    while (!this.closed && !this.isCongested && next < this.queue.length) {
      const start = next;
      let bytes = 0;
      while (next < this.queue.length && (next === start || bytes + this.queue[next]!.length <= MAX_WRITE_BYTES)) {
        bytes += this.queue[next]!.length;
        next++;
      }
      this.queuedBytes -= bytes;
      const first = this.queue[start]!;
      // Always a Buffer: node streams and streamx both take it without conversion.
      const chunk = next - start === 1 ? Buffer.from(first.buffer, first.byteOffset, first.byteLength) : Buffer.concat(this.queue.slice(start, next), bytes);
      if (this.peer.stream.write(chunk) === false) this.isCongested = true;
    }
    if (!this.closed && next > 0) this.queue = this.queue.slice(next);
  }

  /**
   * Stops reading from this peer for `ms`: what it sends waits in its socket and then in
   * its own buffers, so a flooding peer is slowed down at the TCP level instead of costing
   * us decryption and parsing for records we would drop.
   */
  pauseReading(ms: number): void {
    if (this.closed || this.resumeTimer) return;
    this.peer.stream.pause();
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      if (!this.closed) this.peer.stream.resume();
    }, ms);
  }

  get isPaused(): boolean {
    return this.resumeTimer !== undefined;
  }

  close(): void {
    this.flush();
    this.peer.close();
    this.finish();
  }

  private onData(chunk: Uint8Array): void {
    if (this.closed) return;
    let records: ChatRecord[];
    try {
      records = this.decoder.push(chunk);
    } catch (error) {
      // Broken framing means we cannot find the next record: end the link.
      this.finish(error as Error);
      this.peer.stream.destroy(error as Error);
      return;
    }
    for (const record of records) {
      if (this.closed) return;
      this.handlers.onRecord(this, record);
    }
  }

  private finish(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    this.handlers.onClose(this, reason);
  }
}
