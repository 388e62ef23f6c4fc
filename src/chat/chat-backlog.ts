// What a new link catches up on. A peer that connects gets the latest `count` messages
// we hold, public ones at most a day old, and direct messages only when they are
// addressed to that peer: never DMs between others (even sealed, they say who writes to
// whom and when) and never an unbounded past. The caller has already left out authors
// it no longer trusts (the router does, at send time).
import { MessageKind, type ChatMessage } from './chat-message.js';
import { DirectSealer, equalBytes } from './direct-message.js';

export interface BacklogLimits {
  count: number;
  /** Messages with an author timestamp below this (ms since the epoch) are left out. */
  oldestMs: number;
}

/** Oldest first, like `messages`. */
export function selectBacklog(messages: readonly ChatMessage[], peer: Uint8Array, limits: BacklogLimits): ChatMessage[] {
  const backlog: ChatMessage[] = [];
  for (let i = messages.length - 1; i >= 0 && backlog.length < limits.count; i--) {
    const message = messages[i]!;
    if (message.ts < limits.oldestMs) continue;
    if (message.kind === MessageKind.Direct) {
      const recipient = DirectSealer.recipientOf(message.body);
      if (!recipient || !equalBytes(recipient, peer)) continue;
    }
    backlog.push(message);
  }
  return backlog.reverse();
}
