// Keeps one outbound chat connection to a --peer address: dials, waits for the link to
// end, and dials again, backing off exponentially (with jitter) while the peer is away.
export interface PeerDialerOptions {
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A link that lived at least this long counts as healthy and resets the backoff. */
  healthyAfterMs?: number;
  onError?: (error: unknown) => void;
}

export class PeerDialer<Link> {
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly healthyAfterMs: number;

  /**
   * @param dial opens a link (rejects when the peer is unreachable or refuses us)
   * @param runLink takes over the link and resolves when it has closed
   */
  constructor(
    private readonly dial: () => Promise<Link>,
    private readonly runLink: (link: Link) => Promise<void>,
    private readonly options: PeerDialerOptions = {},
  ) {
    this.minDelayMs = options.minDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.healthyAfterMs = options.healthyAfterMs ?? 5000;
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    let delayMs = this.minDelayMs;
    while (!this.stopped) {
      try {
        const link = await this.dial();
        const openedAt = Date.now();
        await this.runLink(link);
        if (Date.now() - openedAt >= this.healthyAfterMs) delayMs = this.minDelayMs;
      } catch (error) {
        if (!this.stopped) this.options.onError?.(error);
      }
      if (this.stopped) break;
      await this.sleep(delayMs * (0.75 + Math.random() * 0.5));
      delayMs = Math.min(delayMs * 2, this.maxDelayMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
