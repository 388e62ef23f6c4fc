/**
 * Keeps one outbound link alive: connect, hand the link over, wait for it to close, and
 * reconnect with exponential backoff (with jitter) while the peer is away. A link that lived
 * a while resets the backoff, so a brief outage reconnects fast.
 */
import type { PeerLink } from './peer-link.js';

export interface MaintainOptions {
  expectedKey?: Uint8Array;
  minDelayMs?: number;
  maxDelayMs?: number;
  healthyAfterMs?: number;
  onError?: (error: unknown) => void;
}

export interface LinkConnector {
  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<PeerLink>;
}

/** Starts maintaining the link; returns a function that stops (and closes the current link). */
export function maintainLink(node: LinkConnector, host: string, port: number, channel: string, onLink: (link: PeerLink) => void, options: MaintainOptions = {}): () => void {
  const minDelayMs = options.minDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const healthyAfterMs = options.healthyAfterMs ?? 5000;
  let isStopped = false;
  let current: PeerLink | undefined;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  void (async () => {
    let delayMs = minDelayMs;
    while (!isStopped) {
      try {
        const link = await node.connect(host, port, channel, { expectedKey: options.expectedKey });
        if (isStopped) {
          link.close();
          break;
        }
        current = link;
        const openedAt = Date.now();
        const closed = new Promise<void>((resolve) => link.stream.once('close', () => resolve()));
        onLink(link);
        await closed;
        current = undefined;
        if (Date.now() - openedAt >= healthyAfterMs) delayMs = minDelayMs;
      } catch (error) {
        if (!isStopped) options.onError?.(error);
      }
      if (isStopped) break;
      await sleep(delayMs * (0.75 + Math.random() * 0.5));
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  })();

  return () => {
    isStopped = true;
    wake?.();
    current?.close();
  };
}
