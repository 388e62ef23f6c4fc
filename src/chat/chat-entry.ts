// A signed chat message turned into what the user sees: names instead of keys, direct
// messages opened (only those to or from us can be).
import { bodyText, MessageKind, type ChatMessage } from './chat-message.js';
import { cachedKeyText } from './key-text-cache.js';
import { DirectSealer, equalBytes } from './direct-message.js';

/** A message as the user sees it. Strings from peers are raw: the printer escapes them. */
export interface ChatEntry {
  id: string;
  from: string; // author key text
  name: string; // trusted name, "me", or a fingerprint
  text: string;
  ts: number;
  seq: number;
  isOwn: boolean;
  direct: boolean;
  to?: string; // recipient key text, for direct messages
  toName?: string;
  /** Sent by a peer as catch-up (an older message we lacked), not live. */
  backlog?: boolean;
}

export class ChatEntries {
  constructor(
    private readonly self: Uint8Array,
    private readonly sealer: DirectSealer,
    private readonly nameOf: (key: Uint8Array) => string,
  ) {}

  /** For a DM: written by us or addressed to us. */
  isMine(message: ChatMessage): boolean {
    const me = this.self;
    if (equalBytes(message.author, me)) return true;
    const recipient = DirectSealer.recipientOf(message.body);
    return recipient !== undefined && equalBytes(recipient, me);
  }

  /** Undefined for a DM that is neither to nor from us (we only relay it). */
  toEntry(message: ChatMessage): ChatEntry | undefined {
    const isOwn = equalBytes(message.author, this.self);
    const base = {
      id: message.id,
      from: cachedKeyText(message.author),
      name: isOwn ? 'me' : this.nameOf(message.author),
      ts: message.ts,
      seq: message.seq,
      isOwn,
    };
    if (message.kind === MessageKind.Public) return { ...base, text: bodyText(message), direct: false };
    const text = this.sealer.open(message.body, message.author);
    if (text === undefined) return undefined;
    const recipient = DirectSealer.recipientOf(message.body)!;
    const toMe = equalBytes(recipient, this.self);
    return { ...base, text, direct: true, to: cachedKeyText(recipient), toName: toMe ? 'me' : this.nameOf(recipient) };
  }
}
