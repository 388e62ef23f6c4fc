/**
 * A token bucket: holds up to `burst` tokens and gains `ratePerSecond` of them per second.
 * Time is passed in, so callers (and tests) decide what "now" is.
 */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(private readonly ratePerSecond: number, private readonly burst: number, nowMs: number) {
    this.tokens = burst;
    this.updatedMs = nowMs;
  }

  /** Takes one token if there is one. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  has(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= 1;
  }

  /** Milliseconds until a token is available (0 when one is). */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  /** True when full: such a bucket carries no state worth keeping. */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.burst;
  }

  private refill(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.updatedMs);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.ratePerSecond) / 1000);
    this.updatedMs = nowMs;
  }
}
