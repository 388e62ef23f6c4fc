// What a new link catches up on. A peer that connects gets the latest `count` messages
// we hold, public ones at most a day old, and direct messages only when they are
// addressed to that peer: never DMs between others (even sealed, they say who writes to
// whom and when) and never an unbounded past; at most MAX_BACKLOG_BYTES_PER_AUTHOR of
// each author (the newest). The caller has already left out authors
// it no longer trusts (the router does, at send time).
import { authorId, MessageKind, type ChatMessage } from './chat-message.js';
import type { ChatHistory } from './chat-history.js';
import { DirectSealer, equalBytes } from './direct-message.js';

/**
 * Per author: half the default byte burst of the receiver's rate limit, so an honest
 * node's backlog never trips it (which would drop part of it and slow the link down).
 */
export const MAX_BACKLOG_BYTES_PER_AUTHOR = 128 * 1024;

export interface BacklogLimits {
  count: number;
  /** Messages with an author timestamp below this (ms since the epoch) are left out. */
  oldestMs: number;
}

/** Whether `message` may go to `peer` as backlog at all (checked before its signature). */
export function isBacklogFor(message: Pick<ChatMessage, 'ts' | 'kind' | 'body'>, peer: Uint8Array, oldestMs: number): boolean {
  if (message.ts < oldestMs) return false;
  if (message.kind !== MessageKind.Direct) return true;
  const recipient = DirectSealer.recipientOf(message.body);
  return recipient !== undefined && equalBytes(recipient, peer);
}

/** Oldest first. Only the messages picked get their signature checked (history does it lazily). */
export function selectBacklog(history: Pick<ChatHistory, 'newestFirst'>, peer: Uint8Array, limits: BacklogLimits): ChatMessage[] {
  const backlog: ChatMessage[] = [];
  const bytesByAuthor = new Map<string, number>();
  const fits = (message: Pick<ChatMessage, 'author' | 'encoded'>) => {
    const author = authorId(message.author);
    const bytes = (bytesByAuthor.get(author) ?? 0) + message.encoded.length;
    if (bytes > MAX_BACKLOG_BYTES_PER_AUTHOR) return false;
    bytesByAuthor.set(author, bytes);
    return true;
  };
  for (const message of history.newestFirst((decoded) => isBacklogFor(decoded, peer, limits.oldestMs) && fits(decoded))) {
    if (backlog.length >= limits.count) break;
    backlog.push(message);
  }
  return backlog.reverse();
}
