/**
 * Which swarm_pex addresses a node dials, and how fast. A peer (even a trusted one) could
 * otherwise name any IP:port, and the node would connect there: a port scanner and
 * amplifier aimed at hosts on our side of the network. The caller has already checked
 * that the key is one we trust; here:
 * - never an unspecified, multicast, broadcast or reserved address; a loopback or
 *   link-local one only when the peer announcing it reaches us over that same kind of
 *   address (then we are on it too, as in tests on 127.0.0.x);
 * - one queued address per key (the latest), and none while a dial to that key is under way;
 * - at most `ratePerSecond` dials (burst `burst`); the queue holds at most MAX_QUEUED keys.
 */
import { isIP } from 'node:net';
import { TokenBucket } from '../net/token-bucket.js';
import type { PeerAddress } from '../net/peer-address.js';

export const PEX_DIALS_PER_SECOND = 2;
/** A getter joining a swarm of 8 meets them all at once; a hostile peer still gets 2 dials a second after these. */
export const PEX_DIAL_BURST = 8;
const MAX_QUEUED = 64;

export interface PexDialGateOptions {
  dial(address: PeerAddress, keyText: string): void;
  /** True when a link to this key exists or a dial to it is under way. */
  isBusy(keyText: string): boolean;
  ratePerSecond?: number;
  burst?: number;
}

export class PexDialGate {
  private readonly queue = new Map<string, PeerAddress>();
  private readonly bucket: TokenBucket;
  private timer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(private readonly options: PexDialGateOptions) {
    this.bucket = new TokenBucket(options.ratePerSecond ?? PEX_DIALS_PER_SECOND, options.burst ?? PEX_DIAL_BURST, performance.now());
  }

  /** An address announced for a trusted key by the peer at `announcerHost`. False if refused outright. */
  offer(address: PeerAddress, keyText: string, announcerHost: string): boolean {
    if (this.isClosed || !isDialableFrom(address.host, announcerHost)) return false;
    if (!this.queue.has(keyText) && this.queue.size >= MAX_QUEUED) return false;
    this.queue.delete(keyText); // re-insert: the latest address, at the back
    this.queue.set(keyText, address);
    this.drain();
    return true;
  }

  close(): void {
    this.isClosed = true;
    clearTimeout(this.timer);
    this.queue.clear();
  }

  private drain(): void {
    if (this.timer !== undefined || this.isClosed) return;
    for (const [keyText, address] of this.queue) {
      if (this.options.isBusy(keyText)) {
        this.queue.delete(keyText);
        continue;
      }
      if (!this.bucket.take(performance.now())) break;
      this.queue.delete(keyText);
      this.options.dial(address, keyText);
    }
    if (this.queue.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, Math.max(1, this.bucket.waitMs(performance.now())));
    this.timer.unref();
  }
}

type Scope = 'public' | 'loopback' | 'link-local' | 'never';

/** Whether a node that sees a peer at `announcerHost` may dial `host` on its word. */
export function isDialableFrom(host: string, announcerHost: string): boolean {
  const scope = scopeOf(host);
  if (scope === 'never') return false;
  return scope === 'public' || scope === scopeOf(announcerHost);
}

export function scopeOf(host: string): Scope {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  const address = mapped ? mapped[1]! : host;
  const family = isIP(address);
  if (family === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    if (a === 0 || a >= 224) return 'never'; // unspecified, multicast, reserved, broadcast
    if (a === 127) return 'loopback';
    if (a === 169 && b === 254) return 'link-local';
    return 'public';
  }
  if (family !== 6 || address.includes('.')) return 'never'; // (IPv4-compatible forms are deprecated)
  const groups = ipv6Groups(address);
  if (groups.every((group) => group === 0)) return 'never'; // ::
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return 'loopback';
  if ((groups[0]! & 0xff00) === 0xff00) return 'never'; // multicast
  if ((groups[0]! & 0xffc0) === 0xfe80) return 'link-local';
  return 'public';
}

function ipv6Groups(address: string): number[] {
  const [head = '', tail = ''] = address.toLowerCase().replace(/%.*$/, '').split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return groups.map((group) => parseInt(group, 16));
}
