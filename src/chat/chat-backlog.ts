// What a new link catches up on (docs/protocol.md, "Catching up"). Each side tells the
// other, per author, the highest sequence it holds (haveVector); the other side sends the
// messages above it (selectBacklog), within the history window and these rules:
// - only authors it trusts now, and only messages written after it trusted the peer
//   (trusting someone must not hand them what was said before);
// - public messages at most a day old; a direct message only to its recipient, never a
//   DM between others (even sealed, it says who writes to whom and when);
// - per author at most half the receiver's default rate-limit burst, in messages and in
//   bytes (the newest), so an honest catch-up never trips it.
// What the peer may read but does not get (too old, over the bounds) is reported to it as
// a gap, so the user is told instead of silently missing messages.
import { authorId, MessageKind, type ChatMessage } from './chat-message.js';
import type { ChatHistory } from './chat-history.js';
import { DirectSealer, equalBytes } from './direct-message.js';
import { DEFAULT_RATE_LIMITS } from './author-rate-limit.js';
import { MAX_SYNC_AUTHORS, type GapEntry, type HaveEntry } from './sync-records.js';

export const MAX_BACKLOG_BYTES_PER_AUTHOR = DEFAULT_RATE_LIMITS.burstBytes / 2;
export const MAX_BACKLOG_MESSAGES_PER_AUTHOR = DEFAULT_RATE_LIMITS.burstMessages / 2;

type Decoded = Pick<ChatMessage, 'author' | 'seq' | 'ts' | 'kind' | 'body' | 'encoded'>;

export interface BacklogRules {
  peer: Uint8Array;
  /** Messages with an author timestamp below this (ms since the epoch) are outside the window. */
  oldestMs: number;
  /** When we added the peer's key: what was written before is not sent (nor counted as a gap). */
  peerTrustedSinceMs: number;
  isTrusted(author: Uint8Array): boolean;
  /** History serial when the link opened: what came later went over the link live already. */
  beforeSerial?: number;
}

export interface Backlog {
  /** Oldest first. */
  messages: ChatMessage[];
  gaps: GapEntry[];
}

/** A DM goes as backlog only to its recipient; public messages to anyone. */
export function isBacklogFor(message: Pick<ChatMessage, 'kind' | 'body'>, peer: Uint8Array): boolean {
  if (message.kind !== MessageKind.Direct) return true;
  const recipient = DirectSealer.recipientOf(message.body);
  return recipient !== undefined && equalBytes(recipient, peer);
}

/**
 * Per author, the highest sequence we hold among the messages `peer` could send us
 * (public ones, and DMs between it and us): a DM from someone else to us is left out,
 * or the vector would tell the peer when that DM was written. At most `maxAuthors`
 * authors (those heard from last), trusted ones only.
 */
export function haveVector(history: Pick<ChatHistory, 'retainedDecoded'>, peer: Uint8Array, isTrusted: (author: Uint8Array) => boolean, maxAuthors = MAX_SYNC_AUTHORS): HaveEntry[] {
  const highest = new Map<string, HaveEntry>();
  for (const message of history.retainedDecoded()) {
    if (message.kind === MessageKind.Direct && !equalBytes(message.author, peer) && !isBacklogFor(message, peer)) continue;
    const id = authorId(message.author);
    const known = highest.get(id);
    if (known && known.seq >= message.seq) continue;
    if (!known && !isTrusted(message.author)) continue;
    highest.set(id, { author: message.author, seq: message.seq });
  }
  return [...highest.values()].sort((a, b) => b.seq - a.seq).slice(0, maxAuthors);
}

interface AuthorBudget {
  messages: number;
  bytes: number;
  /** Once one message did not fit, every older one is a gap (holes would be hidden behind newer ones). */
  isFull: boolean;
  gap?: GapEntry;
}

/** Only the messages picked get their signature checked (history does it lazily). */
export function selectBacklog(history: Pick<ChatHistory, 'newestFirst'>, have: readonly HaveEntry[], rules: BacklogRules): Backlog {
  const peerHas = new Map(have.map((entry) => [authorId(entry.author), entry.seq]));
  const budgets = new Map<string, AuthorBudget>();
  const pick = (message: Decoded): boolean => {
    const id = authorId(message.author);
    if (message.seq <= (peerHas.get(id) ?? -1)) return false;
    if (message.ts < rules.peerTrustedSinceMs || !isBacklogFor(message, rules.peer) || !rules.isTrusted(message.author)) return false;
    let budget = budgets.get(id);
    if (!budget) budgets.set(id, (budget = { messages: 0, bytes: 0, isFull: false }));
    const fits = budget.messages < MAX_BACKLOG_MESSAGES_PER_AUTHOR && budget.bytes + message.encoded.length <= MAX_BACKLOG_BYTES_PER_AUTHOR;
    if (!budget.isFull && fits && message.ts >= rules.oldestMs) {
      budget.messages++;
      budget.bytes += message.encoded.length;
      return true;
    }
    budget.isFull = true;
    const gap = (budget.gap ??= { author: message.author, missing: 0, firstSeq: message.seq, lastSeq: message.seq });
    gap.missing++;
    gap.firstSeq = Math.min(gap.firstSeq, message.seq);
    gap.lastSeq = Math.max(gap.lastSeq, message.seq);
    return false;
  };
  const messages = [...history.newestFirst(pick, rules.beforeSerial)].reverse();
  const gaps = [...budgets.values()].flatMap((budget) => (budget.gap ? [budget.gap] : [])).slice(0, MAX_SYNC_AUTHORS);
  return { messages, gaps };
}

/** How many of a reported gap we still lack: its count less what we hold in its sequence range. */
export function stillMissing(history: Pick<ChatHistory, 'retainedDecoded'>, gaps: readonly GapEntry[]): Map<string, { gap: GapEntry; missing: number }> {
  const result = new Map(gaps.map((gap) => [authorId(gap.author), { gap, missing: gap.missing }]));
  for (const message of history.retainedDecoded()) {
    const entry = result.get(authorId(message.author));
    if (entry && message.seq >= entry.gap.firstSeq && message.seq <= entry.gap.lastSeq) entry.missing--;
  }
  return result;
}
