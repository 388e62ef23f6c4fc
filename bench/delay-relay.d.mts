// Types for bench/delay-relay.mjs, which tests import too (test/share/*).
export interface DelayRelayOptions {
  targetPort: number;
  targetHost?: string;
  oneWayDelayMs: number;
  rateBytesPerSecond?: number;
  maxQueuedBytes?: number;
  host?: string;
}
export interface DelayRelay {
  port: number;
  host: string;
  connections: number;
  close(): Promise<void>;
}
export function startDelayRelay(options: DelayRelayOptions): Promise<DelayRelay>;
