import { describe, expect, it } from 'vitest';
import { decodeMessage, MessageKind, signMessage, type ChatMessage } from '../../src/chat/chat-message.js';
import { haveVector, MAX_BACKLOG_BYTES_PER_AUTHOR, MAX_BACKLOG_MESSAGES_PER_AUTHOR, selectBacklog, stillMissing, type BacklogRules } from '../../src/chat/chat-backlog.js';
import { DirectSealer } from '../../src/chat/direct-message.js';
import { keyPair, textMessage } from './helpers/chat-keys.js';

/** A history holding `messages` (oldest first), as selectBacklog and haveVector read it. */
function historyOf(messages: ChatMessage[]) {
  return {
    *newestFirst(accept: (m: Omit<ChatMessage, 'id'>) => boolean = () => true) {
      for (const m of [...messages].reverse()) if (accept(m)) yield m;
    },
    *retainedDecoded() {
      yield* messages;
    },
  };
}

const rulesFor = (peer: Uint8Array, overrides: Partial<BacklogRules> = {}): BacklogRules => ({
  peer,
  oldestMs: Date.now() - 24 * 3600_000,
  peerTrustedSinceMs: 0,
  isTrusted: () => true,
  ...overrides,
});

describe('catch-up for a new link', () => {
  it('holds public messages of the last day and only the DMs addressed to that peer', () => {
    const [me, peer, other] = [keyPair(), keyPair(), keyPair()];
    const sealer = new DirectSealer(me.publicKey, me.secretKey);
    const dm = (to: Uint8Array, seq: number) => signMessage({ author: me.publicKey, seq, ts: Date.now(), kind: MessageKind.Direct, body: sealer.seal('psst', to) }, me.secretKey);
    const messages = [
      textMessage(me, 1, 'two days ago', Date.now() - 48 * 3600_000),
      textMessage(other, 2, 'recent'),
      dm(peer.publicKey, 3),
      dm(other.publicKey, 4),
      textMessage(me, 5, 'latest'),
    ];
    const { messages: backlog, gaps } = selectBacklog(historyOf(messages), [], rulesFor(peer.publicKey));
    expect(backlog.map((m) => m.seq)).toEqual([2, 3, 5]);
    expect(decodeMessage(backlog[1]!.encoded)?.kind).toBe(MessageKind.Direct);
    // The day-old message is one the peer may read but does not get: a gap of 1 (the DM to other is none of its business).
    expect(gaps.map((gap) => [gap.missing, gap.firstSeq, gap.lastSeq])).toEqual([[1, 1, 1]]);
  });

  it('sends only what is above the peer\'s vector, per author', () => {
    const [me, peer, other] = [keyPair(), keyPair(), keyPair()];
    const messages = [textMessage(me, 1, 'a'), textMessage(other, 10, 'b'), textMessage(me, 2, 'c'), textMessage(other, 11, 'd'), textMessage(me, 3, 'e')];
    const have = [{ author: me.publicKey, seq: 2 }, { author: other.publicKey, seq: 10 }];
    expect(selectBacklog(historyOf(messages), have, rulesFor(peer.publicKey)).messages.map((m) => m.seq)).toEqual([11, 3]);
    // The vector holds the highest seq per trusted author.
    const vector = haveVector(historyOf(messages), peer.publicKey, (author) => Buffer.from(author).equals(Buffer.from(me.publicKey)));
    expect(vector.map((entry) => entry.seq)).toEqual([3]);
  });

  it('leaves out what was written before the peer was trusted, without counting it as a gap', () => {
    const [me, peer] = [keyPair(), keyPair()];
    const addedMs = Date.now() - 1000;
    const messages = [textMessage(me, 1, 'before', addedMs - 5000), textMessage(me, 2, 'after', addedMs + 500)];
    const { messages: backlog, gaps } = selectBacklog(historyOf(messages), [], rulesFor(peer.publicKey, { peerTrustedSinceMs: addedMs }));
    expect(backlog.map((m) => m.seq)).toEqual([2]);
    expect(gaps).toEqual([]);
  });

  it('holds at most 128 KiB of one author (the newest), so it never trips the receiver limit; the rest is a gap', () => {
    const [me, peer, other] = [keyPair(), keyPair(), keyPair()];
    const big = 'b'.repeat(8000);
    const messages = [...Array.from({ length: 40 }, (_, i) => textMessage(me, i + 1, `${i + 1} ${big}`)), textMessage(other, 1, 'small')];
    const { messages: backlog, gaps } = selectBacklog(historyOf(messages), [], rulesFor(peer.publicKey, { oldestMs: 0 }));
    const mine = backlog.filter((m) => Buffer.from(m.author).equals(Buffer.from(me.publicKey)));
    expect(mine.reduce((total, m) => total + m.encoded.length, 0)).toBeLessThanOrEqual(MAX_BACKLOG_BYTES_PER_AUTHOR);
    expect(mine.length).toBe(Math.floor(MAX_BACKLOG_BYTES_PER_AUTHOR / mine[0]!.encoded.length));
    expect(mine.at(-1)!.seq).toBe(40);
    expect(backlog.at(-1)!.seq).toBe(1);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.missing).toBe(40 - mine.length);
    expect(gaps[0]!.lastSeq).toBe(40 - mine.length);
  });

  it('holds at most half the message burst of one author; a gap counts only what the receiver still lacks', () => {
    const [me, peer] = [keyPair(), keyPair()];
    const total = MAX_BACKLOG_MESSAGES_PER_AUTHOR + 12;
    const messages = Array.from({ length: total }, (_, i) => textMessage(me, i + 1, `m${i + 1}`));
    const { messages: backlog, gaps } = selectBacklog(historyOf(messages), [], rulesFor(peer.publicKey));
    expect(backlog).toHaveLength(MAX_BACKLOG_MESSAGES_PER_AUTHOR);
    expect(gaps[0]!.missing).toBe(12);
    // The receiver got two of the twelve elsewhere: ten are still missing.
    const held = [...backlog, messages[0]!, messages[5]!];
    expect(stillMissing(historyOf(held), gaps).get(Buffer.from(me.publicKey).toString('hex'))!.missing).toBe(10);
  });
});
