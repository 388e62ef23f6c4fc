// Per-author token buckets for incoming chat: a trusted key that floods (thousands of
// 8 KiB messages a second) would otherwise fill every history on the mesh and crowd out
// everyone else. Each author has two buckets, messages and bytes, refilled continuously
// at a rate per second up to a burst; a message that finds either short is dropped (not
// stored, shown or relayed) and counted. Our own messages are not limited here.
// Authors are trusted keys only, so the per-author map stays small.

export interface RateLimits {
  messagesPerSecond: number;
  bytesPerSecond: number;
  /** Bucket sizes: how much an author may send at once (a pasted block, a backlog sync). */
  burstMessages: number;
  burstBytes: number;
}

/** Seconds of the rate that make the default bursts (the CLI scales them with its options). */
export const BURST_MESSAGE_SECONDS = 25;
export const BURST_BYTE_SECONDS = 4;

/** Far above a person typing or pasting; a flood of 8 KiB messages is held to 32 at once, then 8 a second. */
export function rateLimits(messagesPerSecond: number, bytesPerSecond: number): RateLimits {
  return { messagesPerSecond, bytesPerSecond, burstMessages: messagesPerSecond * BURST_MESSAGE_SECONDS, burstBytes: bytesPerSecond * BURST_BYTE_SECONDS };
}

export const DEFAULT_RATE_LIMITS: RateLimits = rateLimits(20, 64 * 1024);

interface Bucket {
  messages: number;
  bytes: number;
  atMs: number;
  dropped: number;
}

export class AuthorRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limits: RateLimits = DEFAULT_RATE_LIMITS, private readonly now: () => number = Date.now) {
    if (!(limits.messagesPerSecond > 0 && limits.bytesPerSecond > 0 && limits.burstMessages >= 1 && limits.burstBytes > 0)) {
      throw new RangeError('rate limits must be positive');
    }
  }

  /** Whether a message of `bytes` would pass now (does not take tokens: call take() once it proved genuine). */
  allows(authorId: string, bytes: number): boolean {
    const bucket = this.refill(authorId);
    return bucket.messages >= 1 && bucket.bytes >= bytes;
  }

  /** Takes the tokens for one message; false (and counted as dropped) when there are not enough. */
  take(authorId: string, bytes: number): boolean {
    const bucket = this.refill(authorId);
    if (bucket.messages < 1 || bucket.bytes < bytes) {
      bucket.dropped++;
      return false;
    }
    bucket.messages -= 1;
    bucket.bytes -= bytes;
    return true;
  }

  /** Counts a drop decided before take() (allows() said no). */
  countDrop(authorId: string): void {
    this.refill(authorId).dropped++;
  }

  dropped(authorId: string): number {
    return this.buckets.get(authorId)?.dropped ?? 0;
  }

  get totalDropped(): number {
    let total = 0;
    for (const bucket of this.buckets.values()) total += bucket.dropped;
    return total;
  }

  private refill(authorId: string): Bucket {
    const { messagesPerSecond, bytesPerSecond, burstMessages, burstBytes } = this.limits;
    const nowMs = this.now();
    let bucket = this.buckets.get(authorId);
    if (!bucket) {
      bucket = { messages: burstMessages, bytes: burstBytes, atMs: nowMs, dropped: 0 };
      this.buckets.set(authorId, bucket);
      return bucket;
    }
    const seconds = Math.max(0, nowMs - bucket.atMs) / 1000;
    bucket.messages = Math.min(burstMessages, bucket.messages + seconds * messagesPerSecond);
    bucket.bytes = Math.min(burstBytes, bucket.bytes + seconds * bytesPerSecond);
    bucket.atMs = nowMs;
    return bucket;
  }
}
