/**
 * The CPU budget of inbound handshakes. Answering a Noise message 1 costs key generation
 * and two X25519 operations (message 3 one more, plus an Ed25519 verification), while
 * sending one costs an attacker nothing but a connection. So a responder asks here for a
 * turn after reading message 1 and before any of that work: a turn needs a token from its
 * source address's bucket, its network's (/24 or /64) bucket and the node's global bucket.
 *
 * A connection without a turn waits, keeping its pending slot (pending-connections.ts
 * bounds how many wait), and turns go out in arrival order. A flood of message 1s from one
 * address therefore gets at most that address's rate of answers; a peer elsewhere still
 * finds tokens in its own buckets and in the global one; and a peer on the flooding
 * address waits behind at most the flood's few live connections instead of losing a race
 * for each token: a flood connection that closes gives up its place in the queue.
 */
import { networkOf } from './pending-connections.js';
import { TokenBucket } from './token-bucket.js';

export interface HandshakeRates {
  /** Handshakes answered per second from one source address (and the burst allowed). */
  perAddressPerSecond: number;
  perAddressBurst: number;
  perNetworkPerSecond: number;
  perNetworkBurst: number;
  /** Handshakes answered per second by the whole node: the CPU ceiling of a flood. */
  globalPerSecond: number;
  globalBurst: number;
}

// One handshake costs ~0.5 ms of CPU on the 2-core test machine (docs/benchmarks.md):
// the global rate caps a flood at roughly a fifth of one core.
export const DEFAULT_HANDSHAKE_RATES: HandshakeRates = {
  perAddressPerSecond: 40,
  perAddressBurst: 40,
  perNetworkPerSecond: 120,
  perNetworkBurst: 120,
  globalPerSecond: 400,
  globalBurst: 200,
};

// Buckets of quiet addresses are forgotten once full; this bounds the maps meanwhile.
const MAX_TRACKED_BUCKETS = 4096;

export interface Turn {
  granted: Promise<void>;
  /** Leaves the queue (the connection failed while waiting). */
  cancel(): void;
}

interface Waiter {
  address: string;
  network: string;
  grant: () => void;
}

export class HandshakeBudget {
  private readonly byAddress = new Map<string, TokenBucket>();
  private readonly byNetwork = new Map<string, TokenBucket>();
  private readonly global: TokenBucket;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly rates: HandshakeRates = DEFAULT_HANDSHAKE_RATES, private readonly now: () => number = () => performance.now()) {
    this.global = new TokenBucket(rates.globalPerSecond, rates.globalBurst, now());
  }

  get waiting(): number {
    return this.queue.length;
  }

  requestTurn(address: string): Turn {
    const network = networkOf(address);
    let grant!: () => void;
    const granted = new Promise<void>((resolve) => (grant = resolve));
    const waiter: Waiter = { address, network, grant };
    this.queue.push(waiter);
    this.drain();
    return {
      granted,
      cancel: () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
      },
    };
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  /** Grants every waiter whose three buckets have a token, in arrival order; rechecks when the next token is due. */
  private drain(): void {
    const nowMs = this.now();
    let nextMs = Infinity;
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i]!;
      const buckets = [this.bucket(this.byAddress, waiter.address, 'address', nowMs), this.bucket(this.byNetwork, waiter.network, 'network', nowMs), this.global];
      const waitMs = Math.max(...buckets.map((bucket) => bucket.waitMs(nowMs)));
      if (waitMs > 0) {
        nextMs = Math.min(nextMs, waitMs);
        i++;
        continue;
      }
      for (const bucket of buckets) bucket.take(nowMs);
      this.queue.splice(i, 1);
      waiter.grant();
    }
    this.prune(nowMs);
    if (this.queue.length > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, Math.max(1, Number.isFinite(nextMs) ? nextMs : 1));
      this.timer.unref();
    }
  }

  private bucket(map: Map<string, TokenBucket>, id: string, kind: 'address' | 'network', nowMs: number): TokenBucket {
    let bucket = map.get(id);
    if (!bucket) {
      const { rates } = this;
      bucket = kind === 'address' ? new TokenBucket(rates.perAddressPerSecond, rates.perAddressBurst, nowMs) : new TokenBucket(rates.perNetworkPerSecond, rates.perNetworkBurst, nowMs);
      map.set(id, bucket);
    }
    return bucket;
  }

  private prune(nowMs: number): void {
    for (const map of [this.byAddress, this.byNetwork]) {
      if (map.size < MAX_TRACKED_BUCKETS) continue;
      for (const [id, bucket] of map) if (bucket.isFull(nowMs)) map.delete(id);
    }
  }
}
