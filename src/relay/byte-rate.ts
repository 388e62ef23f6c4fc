/**
 * A byte budget refilled at `bytesPerSecond` (burst: one second of it, at least 256 KiB):
 * a relay takes what it forwarded and, in debt, waits before reading more.
 */
export class ByteRate {
  private tokens: number;
  private updatedMs: number;
  private readonly burst: number;

  constructor(private readonly bytesPerSecond: number, nowMs = performance.now()) {
    this.updatedMs = nowMs;
    this.burst = Math.max(bytesPerSecond, 256 * 1024);
    this.tokens = this.burst;
  }

  /** Takes `bytes`; returns how long to wait before the next read (0: go on). */
  take(bytes: number, nowMs = performance.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.updatedMs) * this.bytesPerSecond) / 1000);
    this.updatedMs = nowMs;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.bytesPerSecond);
  }
}
