/**
 * One outbound link kept up: dial, hand the link over until it closes, and dial again
 * after a backoff delay. The owner's policy says how long to wait (a Backoff), which
 * errors are not worth retrying, and after how many failed dials in a row to give up.
 * chat/ runs one per --peer, share/ one per address of a torrent.
 */
export interface Backoff {
  /** The wait after a dial failed. */
  afterFailedDial(): number;
  /** The wait after a link that was open for `livedMs` closed. */
  afterLink(livedMs: number): number;
  /** The peer showed a sign of life: start again from the shortest wait. */
  reset?(): void;
}

/**
 * Doubling waits from minDelayMs up to maxDelayMs, each spread by ±25% so peers that lost
 * each other at the same moment do not redial in step. A link that lived healthyAfterMs
 * resets them, so a brief outage reconnects fast while a peer that drops every link at
 * once is not redialed in a tight loop.
 */
export function exponentialBackoff(options: { minDelayMs: number; maxDelayMs: number; healthyAfterMs: number }): Backoff {
  let delayMs = options.minDelayMs;
  const next = () => {
    const jitteredMs = delayMs * (0.75 + Math.random() * 0.5);
    delayMs = Math.min(delayMs * 2, options.maxDelayMs);
    return jitteredMs;
  };
  return {
    afterFailedDial: next,
    afterLink(livedMs) {
      if (livedMs >= options.healthyAfterMs) delayMs = options.minDelayMs;
      return next();
    },
    reset() {
      delayMs = options.minDelayMs;
    },
  };
}

/** delaysMs[n] after n failed dials in a row (the last entry repeats), delaysMs[0] after a link. */
export function steppedBackoff(delaysMs: readonly number[]): Backoff {
  let failures = 0;
  return {
    afterFailedDial: () => delaysMs[Math.min(++failures, delaysMs.length - 1)]!,
    afterLink() {
      failures = 0;
      return delaysMs[0]!;
    },
  };
}

export interface RedialOptions<Link> {
  /** Opens a link; rejects when the peer is unreachable or refuses us. */
  dial(): Promise<Link>;
  /**
   * Takes the link (also one that arrives after stop(), to close it) and resolves when it
   * has closed; false ends redialing. A rejection counts as a failed dial.
   */
  run(link: Link): Promise<void | false>;
  backoff: Backoff;
  /** Errors that will not change on retry: redialing gives up at once (default: none). */
  isPermanent?(error: unknown): boolean;
  /** Failed dials in a row after which redialing gives up (default: never). */
  maxFailures?: number;
  /** Asked before each redial; false ends redialing quietly (the peer is reached another way). */
  isWanted?(): boolean;
  onError?(error: unknown): void;
  onGiveUp?(error: unknown): void;
  /**
   * A cheap look for a sign of life (e.g. a bare TCP connect), tried every probeEveryMs while
   * waiting after a failed dial that `shouldProbe` says was the network: when it answers true
   * the wait ends and the backoff starts over, so a path that comes back is used within
   * about probeEveryMs however long it was down, while full dials stay spaced by the backoff.
   */
  probe?(): Promise<boolean>;
  probeEveryMs?: number;
  shouldProbe?(error: unknown): boolean;
}

export class Redial<Link> {
  private isStopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: RedialOptions<Link>) {}

  start(): void {
    void this.loop();
  }

  /** Ends redialing and cancels a pending wait; a link already handed to run() stays the owner's. */
  stop(): void {
    this.isStopped = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    const { backoff, maxFailures = Infinity } = this.options;
    let failures = 0;
    while (!this.isStopped) {
      let delayMs: number;
      let isProbing = false;
      try {
        const link = await this.options.dial();
        failures = 0;
        const openedAt = Date.now();
        if ((await this.options.run(link)) === false) return;
        delayMs = backoff.afterLink(Date.now() - openedAt);
      } catch (error) {
        if (this.isStopped) return;
        this.options.onError?.(error);
        failures += 1;
        if (this.options.isPermanent?.(error) || failures >= maxFailures) return this.options.onGiveUp?.(error);
        delayMs = backoff.afterFailedDial();
        isProbing = !!this.options.probe && this.options.shouldProbe?.(error) !== false;
      }
      if (this.isStopped) return;
      await (isProbing ? this.sleepOrProbe(delayMs) : this.sleep(delayMs));
      if (!this.isStopped && this.options.isWanted?.() === false) return;
    }
  }

  /** Waits delayMs, ending early (and resetting the backoff) when a probe finds the peer. */
  private async sleepOrProbe(delayMs: number): Promise<void> {
    const everyMs = this.options.probeEveryMs ?? 1000;
    const endAt = Date.now() + delayMs;
    for (let leftMs = delayMs; leftMs > 0 && !this.isStopped; leftMs = endAt - Date.now()) {
      await this.sleep(Math.min(everyMs, leftMs));
      if (this.isStopped || endAt - Date.now() <= 0) return;
      if (await this.options.probe!().catch(() => false)) {
        this.options.backoff.reset?.();
        return;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
