import { describe, expect, it } from 'vitest';
import { AuthorRateLimit } from '../../src/chat/author-rate-limit.js';
import { ChatRouter, type RouterLink } from '../../src/chat/chat-router.js';
import { ReplayGuard } from '../../src/chat/replay-guard.js';
import { decodeMessage, MessageKind, signMessage } from '../../src/chat/chat-message.js';
import { RecordDecoder, encodeMessageRecord } from '../../src/chat/chat-record-codec.js';
import { MAX_BACKLOG_BYTES_PER_AUTHOR, selectBacklog } from '../../src/chat/chat-backlog.js';
import { DirectSealer } from '../../src/chat/direct-message.js';
import { keyPair, textMessage } from './helpers/chat-keys.js';

const record = (encoded: Uint8Array) => new RecordDecoder().push(encodeMessageRecord(8, encoded))[0]!;

describe('per-author rate limit', () => {
  it('lets a burst through, then the rate, counting what it drops', () => {
    let nowMs = 0;
    const limit = new AuthorRateLimit({ messagesPerSecond: 2, bytesPerSecond: 1000, burstMessages: 10, burstBytes: 5000 }, () => nowMs);
    let passed = 0;
    for (let i = 0; i < 20; i++) if (limit.take('a', 10)) passed++;
    expect(passed).toBe(10);
    expect(limit.dropped('a')).toBe(10);
    nowMs += 1000;
    expect(limit.take('a', 10)).toBe(true);
    expect(limit.take('a', 10)).toBe(true);
    expect(limit.take('a', 10)).toBe(false);
    // Bytes run out before messages for big messages; another author is not affected.
    expect(limit.take('b', 4000)).toBe(true);
    expect(limit.take('b', 1001)).toBe(false);
    expect(limit.take('c', 10)).toBe(true);
    expect(limit.totalDropped).toBe(12);
  });

  it('a router drops and does not forward a flood, and forgeries do not spend an honest author budget', () => {
    const honest = keyPair();
    const flooder = keyPair();
    const forwarded: Uint8Array[] = [];
    const limitedAuthors: Uint8Array[] = [];
    const router = new ChatRouter({
      isTrusted: () => true,
      guard: new ReplayGuard(),
      rateLimit: new AuthorRateLimit({ messagesPerSecond: 1, bytesPerSecond: 100_000, burstMessages: 5, burstBytes: 500_000 }, () => 0),
    });
    router.on('rate-limited', (author) => limitedAuthors.push(author));
    const from: RouterLink = { remoteKey: flooder.publicKey, send: () => {} };
    const onward: RouterLink = { remoteKey: honest.publicKey, send: (bytes) => forwarded.push(bytes) };
    router.addLink(from);
    router.addLink(onward);
    let delivered = 0;
    for (let seq = 1; seq <= 50; seq++) if (router.receive(from, record(textMessage(flooder, seq, `flood ${seq}`).encoded))) delivered++;
    expect(delivered).toBe(5);
    expect(forwarded).toHaveLength(5);
    expect(router.rejectCounts['rate-limited']).toBe(45);
    expect(Buffer.from(limitedAuthors[0]!).equals(Buffer.from(flooder.publicKey))).toBe(true);
    // 100 forgeries in the honest author's name (bad signatures) leave their budget whole.
    for (let seq = 1; seq <= 100; seq++) {
      const forged = new Uint8Array(textMessage(honest, seq, 'forged').encoded);
      forged[forged.length - 1]! ^= 1;
      router.receive(from, record(forged));
    }
    expect(router.rejectCounts['bad-signature']).toBe(100);
    for (let seq = 101; seq <= 105; seq++) expect(router.receive(from, record(textMessage(honest, seq, `real ${seq}`).encoded))).toBeDefined();
  });
});

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
    const history = { *newestFirst(accept: (m: (typeof messages)[number]) => boolean) { for (const m of [...messages].reverse()) if (accept(m)) yield m; } };
    const backlog = selectBacklog(history, peer.publicKey, { count: 200, oldestMs: Date.now() - 24 * 3600_000 });
    expect(backlog.map((m) => m.seq)).toEqual([2, 3, 5]);
    expect(selectBacklog(history, peer.publicKey, { count: 2, oldestMs: 0 }).map((m) => m.seq)).toEqual([3, 5]);
    expect(decodeMessage(backlog[1]!.encoded)?.kind).toBe(MessageKind.Direct);
  });

  it('holds at most 128 KiB of one author (the newest), so it never trips the receiver limit', () => {
    const [me, peer, other] = [keyPair(), keyPair(), keyPair()];
    const big = 'b'.repeat(8000);
    const messages = [...Array.from({ length: 40 }, (_, i) => textMessage(me, i + 1, `${i + 1} ${big}`)), textMessage(other, 1, 'small')];
    const history = { *newestFirst(accept: (m: (typeof messages)[number]) => boolean) { for (const m of [...messages].reverse()) if (accept(m)) yield m; } };
    const backlog = selectBacklog(history, peer.publicKey, { count: 200, oldestMs: 0 });
    const mine = backlog.filter((m) => Buffer.from(m.author).equals(Buffer.from(me.publicKey)));
    expect(mine.reduce((total, m) => total + m.encoded.length, 0)).toBeLessThanOrEqual(MAX_BACKLOG_BYTES_PER_AUTHOR);
    expect(mine.length).toBe(Math.floor(MAX_BACKLOG_BYTES_PER_AUTHOR / mine[0]!.encoded.length));
    expect(mine.at(-1)!.seq).toBe(40);
    expect(backlog.at(-1)!.seq).toBe(1);
  });
});

describe('a link that keeps bringing over-limit messages', () => {
  it('is paused at the threshold and read again after the pause', async () => {
    const { LinkThrottle, MAX_DROPS_PER_WINDOW } = await import('../../src/chat/link-throttle.js');
    const { ChatLink } = await import('../../src/chat/chat-link.js');
    const calls: string[] = [];
    const stream = {
      destroyed: false,
      write: () => true,
      on: () => stream,
      end: () => {},
      destroy: () => {},
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    };
    const peer = { remoteKey: new Uint8Array(32), remoteKeyText: 'k', remoteHost: '127.0.0.1', remotePort: 1, isInitiator: false, stream, close: () => {} };
    const link = new ChatLink(peer, { onRecord: () => {}, onClose: () => {} });
    let nowMs = 0;
    const throttle = new LinkThrottle(() => nowMs);
    for (let i = 0; i < MAX_DROPS_PER_WINDOW - 1; i++) throttle.dropped(link);
    nowMs += 2000; // the window passed: the count starts again
    for (let i = 0; i < MAX_DROPS_PER_WINDOW - 1; i++) throttle.dropped(link);
    expect(calls).toEqual([]);
    throttle.dropped(link);
    expect(calls).toEqual(['pause']);
    expect(link.isPaused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(calls).toEqual(['pause', 'resume']);
    expect(link.isPaused).toBe(false);
  });
});
