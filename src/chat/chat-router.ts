// Gossip relay over abstract links. Every record passes these checks, cheapest first:
// framing -> trusted author -> replay (seen author+seq, timestamp window) -> author's
// rate (a peek; tokens are only taken once the signature holds, so forgeries cannot
// spend an honest author's budget) -> signature -> author's rate (take).
// A message that passes is remembered, delivered once, and forwarded to every other
// link with one hop fewer. A message over its author's rate is neither delivered nor
// forwarded: a flood stops at the first honest node. Relays forward the author's signed bytes untouched, so
// nothing they change survives the signature check at the next node.
import { EventEmitter } from 'node:events';
import { authorId, decodeMessage, verifyMessage, type ChatMessage } from './chat-message.js';
import { decodeBacklogRecord, decodeMessageRecord, encodeMessageRecord, RecordType, type ChatRecord } from './chat-record-codec.js';
import type { ReplayGuard } from './replay-guard.js';
import type { AuthorRateLimit } from './author-rate-limit.js';

export const DEFAULT_MAX_HOPS = 8;

/** What the router needs from a connection: chat-link.ts adapts a PeerLink to this. */
export interface RouterLink {
  readonly remoteKey: Uint8Array;
  send(record: Uint8Array): void;
}

export type RejectReason = 'malformed' | 'untrusted' | 'seen' | 'too-old' | 'from-future' | 'bad-signature' | 'rate-limited';

export interface ChatRouterOptions {
  /** The allowlist, asked for every author (it can change while running). */
  isTrusted(publicKey: Uint8Array): boolean;
  guard: ReplayGuard;
  /** Per-author rate limit on received messages (none when absent). */
  rateLimit?: AuthorRateLimit;
  maxHops?: number;
  now?: () => number;
}

export interface ChatRouterEvents {
  /** A new, genuine message from a trusted author; `from` is the link it came on; `isBacklog` when sent as catch-up. */
  message: [message: ChatMessage, from: RouterLink, isBacklog: boolean];
  rejected: [reason: RejectReason, from: RouterLink];
  /** A genuine-looking message of `author` dropped for going over its rate. */
  'rate-limited': [author: Uint8Array, from: RouterLink];
}

export class ChatRouter extends EventEmitter<ChatRouterEvents> {
  readonly maxHops: number;
  private readonly links = new Set<RouterLink>();
  private readonly now: () => number;
  readonly rejectCounts: Record<RejectReason, number> = {
    malformed: 0,
    untrusted: 0,
    seen: 0,
    'too-old': 0,
    'from-future': 0,
    'bad-signature': 0,
    'rate-limited': 0,
  };

  constructor(private readonly options: ChatRouterOptions) {
    super();
    this.maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Adds a link and sends it `recent` messages, so a peer that reconnects catches up.
   * Authors no longer trusted are left out: what we would not relay live, we do not sync.
   */
  addLink(link: RouterLink, recent: readonly ChatMessage[] = []): void {
    this.links.add(link);
    for (const message of recent) {
      if (this.options.isTrusted(message.author)) link.send(encodeMessageRecord(this.maxHops, message.encoded));
    }
  }

  /** Sends a new link what it lacks (chat-backlog.ts), marked as backlog; authors no longer trusted are left out. */
  sendBacklog(link: RouterLink, messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      if (this.options.isTrusted(message.author)) link.send(encodeMessageRecord(this.maxHops, message.encoded, RecordType.Backlog));
    }
  }

  removeLink(link: RouterLink): void {
    this.links.delete(link);
  }

  isTrusted(publicKey: Uint8Array): boolean {
    return this.options.isTrusted(publicKey);
  }

  /** Sends our own freshly signed message to every link. */
  publish(message: ChatMessage): void {
    this.options.guard.remember(authorId(message.author), message.seq);
    this.forward(encodeMessageRecord(this.maxHops, message.encoded), undefined);
  }

  /** Handles one record received on `from`. Returns the message when it was new and genuine. */
  receive(from: RouterLink, record: ChatRecord): ChatMessage | undefined {
    const messageRecord = decodeMessageRecord(record) ?? decodeBacklogRecord(record);
    if (!messageRecord) return undefined; // unknown record type: ignored for forward compatibility
    const decoded = decodeMessage(messageRecord.encodedMessage);
    if (!decoded) return this.reject('malformed', from);
    if (!this.options.isTrusted(decoded.author)) return this.reject('untrusted', from);
    const author = authorId(decoded.author);
    const verdict = this.options.guard.check(author, decoded.seq, decoded.ts, this.now());
    if (verdict !== 'new') return this.reject(verdict, from);
    const { rateLimit } = this.options;
    const bytes = decoded.encoded.length;
    if (rateLimit && !rateLimit.allows(author, bytes)) {
      rateLimit.countDrop(author);
      return this.rateLimited(decoded.author, from);
    }
    const message = verifyMessage(decoded);
    if (!message) return this.reject('bad-signature', from);
    if (rateLimit && !rateLimit.take(author, bytes)) return this.rateLimited(decoded.author, from);
    this.options.guard.remember(author, message.seq);
    // Backlog stays backlog when relayed: for the next node too it is an old message.
    this.emit('message', message, from, record.type === RecordType.Backlog);
    if (messageRecord.hopsLeft > 1) {
      this.forward(encodeMessageRecord(messageRecord.hopsLeft - 1, message.encoded, record.type), from);
    }
    return message;
  }

  private forward(record: Uint8Array, except: RouterLink | undefined): void {
    for (const link of this.links) if (link !== except) link.send(record);
  }

  private rateLimited(author: Uint8Array, from: RouterLink): undefined {
    this.emit('rate-limited', author, from);
    return this.reject('rate-limited', from);
  }

  private reject(reason: RejectReason, from: RouterLink): undefined {
    this.rejectCounts[reason]++;
    this.emit('rejected', reason, from);
    return undefined;
  }
}
