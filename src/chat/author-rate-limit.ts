// Per-author token buckets for incoming chat: a trusted key that floods (thousands of
// 8 KiB messages a second) would otherwise fill every history on the mesh and crowd out
// everyone else. Each author has two buckets, messages and bytes, refilled continuously
// at a rate per second up to a burst; a message that finds either short is dropped (not
// stored, shown or relayed) and counted. Our own messages are not limited here.
// Authors are trusted keys only, so the per-author map stays small.

export interface RateLimits {
  messagesPerSecond: number;
  bytesPerSecond: number;
  /** Bucket size, in seconds of the rate: how much an author may send at once. */
  burstSeconds: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { messagesPerSecond: 10, bytesPerSecond: 64 * 1024, burstSeconds: 20 };

interface Bucket {
  messages: number;
  bytes: number;
  atMs: number;
  dropped: number;
}

export class AuthorRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limits: RateLimits = DEFAULT_RATE_LIMITS, private readonly now: () => number = Date.now) {
    if (!(limits.messagesPerSecond > 0 && limits.bytesPerSecond > 0 && limits.burstSeconds > 0)) {
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
    const { messagesPerSecond, bytesPerSecond, burstSeconds } = this.limits;
    const nowMs = this.now();
    let bucket = this.buckets.get(authorId);
    if (!bucket) {
      bucket = { messages: messagesPerSecond * burstSeconds, bytes: bytesPerSecond * burstSeconds, atMs: nowMs, dropped: 0 };
      this.buckets.set(authorId, bucket);
      return bucket;
    }
    const seconds = Math.max(0, nowMs - bucket.atMs) / 1000;
    bucket.messages = Math.min(messagesPerSecond * burstSeconds, bucket.messages + seconds * messagesPerSecond);
    bucket.bytes = Math.min(bytesPerSecond * burstSeconds, bucket.bytes + seconds * bytesPerSecond);
    bucket.atMs = nowMs;
    return bucket;
  }
}
