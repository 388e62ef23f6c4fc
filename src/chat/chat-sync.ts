// The catch-up of a new link (docs/protocol.md, "Catching up"): on open we send our HAVE
// vector; on the peer's HAVE we send what it lacks (chat-backlog.ts) and then GAPS, what
// it may read but we could not send; on the peer's GAPS we report what we still lack.
// Each link gets one answer and one report: a peer cannot make us resend our history.
import { authorId } from './chat-message.js';
import type { ChatHistory } from './chat-history.js';
import type { ChatRouter, RouterLink } from './chat-router.js';
import { RecordType, type ChatRecord } from './chat-record-codec.js';
import { haveVector, selectBacklog, stillMissing } from './chat-backlog.js';
import { decodeGaps, decodeHave, encodeGaps, encodeHave } from './sync-records.js';
import { equalBytes } from './direct-message.js';
import { cachedKeyText } from './key-text-cache.js';

export interface ChatSyncOptions {
  self: Uint8Array;
  history: ChatHistory;
  router: ChatRouter;
  /** Public messages older than this are outside the history window. */
  maxAgeMs: number;
  /** Where each key's `added` date is (trusted since then). */
  trust: { find(keyText: string): { added: string } | undefined };
  /** `count` messages of `author` that no peer could give us. */
  onMissing(author: Uint8Array, count: number): void;
}

export class ChatSync {
  private readonly answered = new WeakSet<RouterLink>();
  private readonly openedAtSerial = new WeakMap<RouterLink, number>();
  private readonly gapsRead = new WeakSet<RouterLink>();
  /** Per author (hex), the end of the last gap reported: two peers telling of one gap say it once. */
  private readonly reportedUpTo = new Map<string, number>();

  constructor(private readonly options: ChatSyncOptions) {}

  opened(link: RouterLink): void {
    const { history, router } = this.options;
    this.openedAtSerial.set(link, history.serial);
    link.send(encodeHave(haveVector(history, link.remoteKey, (author) => router.isTrusted(author))));
  }

  /** True when `record` belongs to the catch-up (HAVE, GAPS); other records are the router's. */
  receive(link: RouterLink, record: ChatRecord): boolean {
    if (record.type === RecordType.Have) this.answer(link, record);
    else if (record.type === RecordType.Gaps) this.readGaps(link, record);
    else return false;
    return true;
  }

  private answer(link: RouterLink, record: ChatRecord): void {
    if (this.answered.has(link)) return;
    this.answered.add(link);
    const have = decodeHave(record);
    if (!have) return;
    const { history, router } = this.options;
    const { messages, gaps } = selectBacklog(history, have, {
      peer: link.remoteKey,
      oldestMs: Date.now() - this.options.maxAgeMs,
      peerTrustedSinceMs: this.trustedSinceMs(link.remoteKey),
      isTrusted: (author) => router.isTrusted(author),
      beforeSerial: this.openedAtSerial.get(link),
    });
    router.sendBacklog(link, messages);
    link.send(encodeGaps(gaps));
  }

  /** Our own key: always; a trust entry without a readable date: never (no backlog). */
  private trustedSinceMs(peer: Uint8Array): number {
    if (equalBytes(peer, this.options.self)) return 0;
    const addedMs = Date.parse(this.options.trust.find(cachedKeyText(peer))?.added ?? '');
    return Number.isFinite(addedMs) ? addedMs : Infinity;
  }

  private readGaps(link: RouterLink, record: ChatRecord): void {
    if (this.gapsRead.has(link)) return;
    this.gapsRead.add(link);
    const { router, self } = this.options;
    const gaps = decodeGaps(record)?.filter((gap) => gap.missing > 0 && !equalBytes(gap.author, self) && router.isTrusted(gap.author));
    if (!gaps?.length) return;
    // The backlog records before GAPS on this link are already in history: what they filled is not missing.
    for (const { gap, missing } of stillMissing(this.options.history, gaps).values()) {
      const id = authorId(gap.author);
      if (missing <= 0 || gap.lastSeq <= (this.reportedUpTo.get(id) ?? -1)) continue;
      this.reportedUpTo.set(id, gap.lastSeq);
      this.options.onMissing(gap.author, missing);
    }
  }
}
