// The catch-up records and the rules a hostile or confused peer meets: malformed vectors
// and gap reports are ignored, a second HAVE on a link gets no second answer, and a peer
// trusted after a message was written does not get it.
import { describe, expect, it } from 'vitest';
import { ChatHistory } from '../../src/chat/chat-history.js';
import { ChatRouter, DEFAULT_MAX_HOPS, type RouterLink } from '../../src/chat/chat-router.js';
import { ChatSync } from '../../src/chat/chat-sync.js';
import { ReplayGuard } from '../../src/chat/replay-guard.js';
import { decodeBacklogRecord, encodeMessageRecord, RecordDecoder, RecordType, type ChatRecord } from '../../src/chat/chat-record-codec.js';
import { decodeGaps, decodeHave, encodeGaps, encodeHave, MAX_SYNC_AUTHORS } from '../../src/chat/sync-records.js';
import { decodeMessage } from '../../src/chat/chat-message.js';
import { encodeKeyText } from '../../src/identity/key-text.js';
import { tempDir } from '../helpers/temp-home.js';
import { keyPair, textMessage } from './helpers/chat-keys.js';

const recordOf = (bytes: Uint8Array): ChatRecord => new RecordDecoder().push(bytes)[0]!;

describe('catch-up records', () => {
  it('round-trip, and a record over the author cap or with a wrong length is ignored', () => {
    const [x, y] = [keyPair(), keyPair()];
    const have = [{ author: x.publicKey, seq: 2 ** 53 - 1 }, { author: y.publicKey, seq: 7 }];
    expect(decodeHave(recordOf(encodeHave(have)))).toEqual(have.map((e) => ({ author: new Uint8Array(e.author), seq: e.seq })));
    const gaps = [{ author: x.publicKey, missing: 12, firstSeq: 3, lastSeq: 40 }];
    expect(decodeGaps(recordOf(encodeGaps(gaps)))).toEqual(gaps.map((g) => ({ ...g, author: new Uint8Array(g.author) })));

    const tooMany = Array.from({ length: MAX_SYNC_AUTHORS + 1 }, () => ({ author: x.publicKey, seq: 1 }));
    expect(() => encodeHave(tooMany)).toThrow(RangeError);
    const overCap = recordOf(encodeHave(tooMany.slice(1)));
    new DataView(overCap.payload.buffer, overCap.payload.byteOffset).setUint16(0, MAX_SYNC_AUTHORS + 1);
    expect(decodeHave(overCap)).toBeUndefined();
    const short = recordOf(encodeHave(have));
    expect(decodeHave({ type: short.type, payload: short.payload.subarray(0, short.payload.length - 1) })).toBeUndefined();
    const backwards = recordOf(encodeGaps([{ author: x.publicKey, missing: 1, firstSeq: 9, lastSeq: 8 }]));
    expect(decodeGaps(backwards)).toBeUndefined();
    expect(decodeHave(recordOf(encodeGaps(gaps)))).toBeUndefined();
  });
});

describe('ChatSync', () => {
  function setUp(peerAddedMs: number) {
    const [me, peer] = [keyPair(), keyPair()];
    const history = ChatHistory.open(tempDir());
    const router = new ChatRouter({ isTrusted: () => true, guard: new ReplayGuard() });
    const trust = { find: (keyText: string) => (keyText === encodeKeyText(peer.publicKey) ? { added: new Date(peerAddedMs).toISOString() } : undefined) };
    const missing: [string, number][] = [];
    const sync = new ChatSync({ self: me.publicKey, history, router, maxAgeMs: 24 * 3600_000, trust, onMissing: (author, count) => missing.push([encodeKeyText(author), count]) });
    const sent: ChatRecord[] = [];
    const link: RouterLink = { remoteKey: peer.publicKey, send: (bytes) => sent.push(...new RecordDecoder().push(bytes)) };
    return { me, peer, history, sync, link, sent, missing, router };
  }

  it('answers the first HAVE of a link only, with what the peer lacks, then GAPS', () => {
    const { me, history, sync, link, sent } = setUp(0);
    for (let seq = 1; seq <= 3; seq++) history.append(textMessage(me, seq, `m${seq}`));
    sync.opened(link);
    expect(decodeHave(sent[0]!)!.map((e) => e.seq)).toEqual([3]);
    const peerHas = recordOf(encodeHave([{ author: me.publicKey, seq: 1 }]));
    expect(sync.receive(link, peerHas)).toBe(true);
    const answer = sent.slice(1);
    expect(answer.map((r) => r.type)).toEqual([RecordType.Backlog, RecordType.Backlog, RecordType.Gaps]);
    expect(answer.slice(0, 2).map((r) => decodeMessage(decodeBacklogRecord(r)!.encodedMessage)!.seq)).toEqual([2, 3]);
    expect(decodeGaps(answer[2]!)).toEqual([]);
    // Asking again (or with an empty vector) on the same link gets nothing more.
    sync.receive(link, recordOf(encodeHave([])));
    expect(sent).toHaveLength(4);
    history.close();
  });

  it('sends backlog with a fresh hopsLeft = 8, however few hops a message had left when it arrived', () => {
    const { history, sync, link, sent, router } = setUp(0);
    const author = keyPair();
    // Relayed to us with 2 hops left: we deliver it and keep it (hopsLeft is not stored).
    const relay: RouterLink = { remoteKey: keyPair().publicKey, send: () => {} };
    const arrived = router.receive(relay, recordOf(encodeMessageRecord(2, textMessage(author, 1, 'from afar').encoded)));
    expect(arrived).toBeDefined();
    history.append(arrived!);
    sync.opened(link);
    sync.receive(link, recordOf(encodeHave([])));
    const backlog = sent.filter((r) => r.type === RecordType.Backlog).map((r) => decodeBacklogRecord(r)!);
    expect(backlog.map((r) => decodeMessage(r.encodedMessage)!.seq)).toEqual([1]);
    expect(backlog.map((r) => r.hopsLeft)).toEqual([DEFAULT_MAX_HOPS]);
    expect(DEFAULT_MAX_HOPS).toBe(8);
    history.close();
  });

  it('sends a peer nothing written before it was trusted', () => {
    const addedMs = Date.now() - 60_000;
    const { me, history, sync, link, sent } = setUp(addedMs);
    history.append(textMessage(me, 1, 'before', addedMs - 1));
    history.append(textMessage(me, 2, 'after', addedMs + 1));
    sync.opened(link);
    sync.receive(link, recordOf(encodeHave([])));
    const backlog = sent.filter((r) => r.type === RecordType.Backlog).map((r) => decodeMessage(decodeBacklogRecord(r)!.encodedMessage)!.seq);
    expect(backlog).toEqual([2]);
    history.close();
  });

  it('reports a gap once, less what it holds, and never one of its own messages', () => {
    const { me, peer, history, sync, link, missing } = setUp(0);
    const other = keyPair();
    history.append(textMessage(other, 5, 'held'));
    const report = encodeGaps([
      { author: other.publicKey, missing: 12, firstSeq: 1, lastSeq: 20 },
      { author: me.publicKey, missing: 3, firstSeq: 1, lastSeq: 3 },
    ]);
    sync.receive(link, recordOf(report));
    sync.receive(link, recordOf(report)); // a second report on the link is ignored
    expect(missing).toEqual([[encodeKeyText(other.publicKey), 11]]);
    // Another peer telling of the same gap: said once.
    sync.receive({ remoteKey: peer.publicKey, send: () => {} }, recordOf(report));
    expect(missing).toHaveLength(1);
    history.close();
  });
});
