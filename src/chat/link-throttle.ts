// A link that keeps bringing messages over their author's rate limit is not read for a
// while: the flood then waits in the sender's socket (TCP backpressure) instead of taking
// our CPU, in decryption and parsing of records we would drop, from everyone else's
// messages. Links of honest relays do not get here: they forward only what passed their
// own limit, which is ours too by default.

/** Over-limit messages within WINDOW_MS that pause a link. */
export const MAX_DROPS_PER_WINDOW = 32;
const WINDOW_MS = 1000;
export const PAUSE_MS = 1000;

export interface PausableLink {
  pauseReading(ms: number): void;
}

export class LinkThrottle {
  private readonly windows = new Map<PausableLink, { startMs: number; drops: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one over-limit message that came on `link`; pauses it at the threshold. */
  dropped(link: PausableLink): void {
    const nowMs = this.now();
    let window = this.windows.get(link);
    if (!window || nowMs - window.startMs > WINDOW_MS) {
      window = { startMs: nowMs, drops: 0 };
      this.windows.set(link, window);
    }
    if (++window.drops >= MAX_DROPS_PER_WINDOW) {
      this.windows.delete(link);
      link.pauseReading(PAUSE_MS);
    }
  }

  forget(link: PausableLink): void {
    this.windows.delete(link);
  }
}
