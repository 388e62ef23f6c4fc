// Adapts one PeerLink on channel "chat" to a RouterLink: frames outgoing records
// (chat-record-codec.ts) and reassembles incoming ones. Records queued in the same
// tick go out in one write, so a burst costs a few encrypted frames, not one each.
import { RecordDecoder, type ChatRecord } from './chat-record-codec.js';
import type { RouterLink } from './chat-router.js';

/** The part of net's PeerLink that chat uses (structural, so tests can pass their own). */
export interface ChatPeerLink {
  readonly remoteKey: Uint8Array;
  readonly remoteKeyText: string;
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly isInitiator: boolean;
  readonly stream: ChatStream;
  close(): void;
}

export interface ChatStream {
  write(chunk: Uint8Array): unknown;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): unknown;
  destroy(error?: Error): unknown;
}

const MAX_WRITE_BYTES = 60 * 1024;

export interface ChatLinkHandlers {
  onRecord(link: ChatLink, record: ChatRecord): void;
  onClose(link: ChatLink, reason?: Error): void;
}

export class ChatLink implements RouterLink {
  private readonly decoder = new RecordDecoder();
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private flushScheduled = false;
  private closed = false;

  constructor(readonly peer: ChatPeerLink, private readonly handlers: ChatLinkHandlers) {
    peer.stream.on('data', (chunk) => this.onData(chunk));
    peer.stream.on('error', (error) => this.finish(error));
    peer.stream.on('close', () => this.finish());
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
    if (this.queuedBytes >= MAX_WRITE_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is queued now (also called before a clean close). */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.queue.length === 0) return;
    const first = this.queue[0]!;
    // Always a Buffer: node streams and streamx both take it without conversion.
    const chunk = this.queue.length === 1 ? Buffer.from(first.buffer, first.byteOffset, first.byteLength) : Buffer.concat(this.queue, this.queuedBytes);
    this.queue = [];
    this.queuedBytes = 0;
    this.peer.stream.write(chunk);
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
      this.peer.stream.destroy(error as Error);
      this.finish(error as Error);
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
    this.handlers.onClose(this, reason);
  }
}
