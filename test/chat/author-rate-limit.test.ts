import { describe, expect, it } from 'vitest';
import { AuthorRateLimit } from '../../src/chat/author-rate-limit.js';
import { ChatRouter, type RouterLink } from '../../src/chat/chat-router.js';
import { ReplayGuard } from '../../src/chat/replay-guard.js';
import { RecordDecoder, encodeMessageRecord } from '../../src/chat/chat-record-codec.js';
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
