import { describe, expect, it } from 'vitest';
import { decodeMessage, MessageKind, signMessage, type ChatMessage } from '../../src/chat/chat-message.js';
import { MAX_BACKLOG_BYTES_PER_AUTHOR, selectBacklog } from '../../src/chat/chat-backlog.js';
import { DirectSealer } from '../../src/chat/direct-message.js';
import { keyPair, textMessage } from './helpers/chat-keys.js';

/** A history holding `messages` (oldest first), as selectBacklog reads it. */
function newestFirstOf(messages: ChatMessage[]) {
  return {
    *newestFirst(accept: (m: Omit<ChatMessage, 'id'>) => boolean = () => true) {
      for (const m of [...messages].reverse()) if (accept(m)) yield m;
    },
  };
}

describe('backlog for a new link', () => {
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
    const history = newestFirstOf(messages);
    const backlog = selectBacklog(history, peer.publicKey, { count: 200, oldestMs: Date.now() - 24 * 3600_000 });
    expect(backlog.map((m) => m.seq)).toEqual([2, 3, 5]);
    expect(selectBacklog(history, peer.publicKey, { count: 2, oldestMs: 0 }).map((m) => m.seq)).toEqual([3, 5]);
    expect(decodeMessage(backlog[1]!.encoded)?.kind).toBe(MessageKind.Direct);
  });

  it('holds at most 128 KiB of one author (the newest), so it never trips the receiver limit', () => {
    const [me, peer, other] = [keyPair(), keyPair(), keyPair()];
    const big = 'b'.repeat(8000);
    const messages = [...Array.from({ length: 40 }, (_, i) => textMessage(me, i + 1, `${i + 1} ${big}`)), textMessage(other, 1, 'small')];
    const history = newestFirstOf(messages);
    const backlog = selectBacklog(history, peer.publicKey, { count: 200, oldestMs: 0 });
    const mine = backlog.filter((m) => Buffer.from(m.author).equals(Buffer.from(me.publicKey)));
    expect(mine.reduce((total, m) => total + m.encoded.length, 0)).toBeLessThanOrEqual(MAX_BACKLOG_BYTES_PER_AUTHOR);
    expect(mine.length).toBe(Math.floor(MAX_BACKLOG_BYTES_PER_AUTHOR / mine[0]!.encoded.length));
    expect(mine.at(-1)!.seq).toBe(40);
    expect(backlog.at(-1)!.seq).toBe(1);
  });
});
