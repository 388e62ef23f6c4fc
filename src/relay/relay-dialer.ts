/**
 * A LinkNode that falls back on relays: a dial to a key dials its address directly first
 * and, when that fails or has not answered within a head start, through each relay known
 * for the key (its magnet's x.relay, then our own --relay list); the first link up wins and
 * a later one is closed. Inside a relayed link the two ends run their own handshake v2
 * (SwarmNode.connectOver), so the relay can read and forge nothing.
 */
import type { Duplex } from 'node:stream';
import { errors, hasErrorCode, isSwarmError } from '../errors.js';
import { encodeKeyText, fingerprint } from '../identity/key-text.js';
import { relayToChannel, type ChannelKind } from '../net/channel-name.js';
import { formatPeerAddress, type PeerAddress } from '../net/peer-address.js';
import { isPassingRefusal, refusalText } from '../net/refusal-reason.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';
import type { RelayAddress } from './relay-address.js';
import { relayedStream } from './relayed-stream.js';

/** Not an error: the relay was skipped because the key is reached directly (this dial's own error stands). */
const REACHED_DIRECTLY = Symbol('reached directly');

/** Relays found through relay hints kept per key: enough for a key with two relays, too few to flood. */
export const MAX_FOUND_RELAYS_PER_KEY = 2;

/** How long a direct dial has alone before the relays are tried too. */
export const DIRECT_HEAD_START_MS = 1500;

export interface RelayCapableNode {
  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<PeerLink>;
  connectOver(raw: Duplex, channel: string, expectedKey: Uint8Array, via: { host: string; port: number }): Promise<PeerLink>;
  pinnedKeyFor(host: string, port: number): Uint8Array | undefined;
  handle(kind: ChannelKind, handler: (link: PeerLink) => void | boolean | string): void;
  trustedKeys(): Uint8Array[];
  listen(): Promise<{ host: string; port: number; isFallbackPort: boolean }>;
  close(): Promise<void>;
}

export interface RelayDialerOptions {
  /** Our own --relay list: tried for every key. */
  relays: RelayAddress[];
  /** The trust store's name for a key text, for errors. */
  nameOf?(keyText: string): string | undefined;
  headStartMs?: number;
  /** Each link that came up through a relay (a direct upgrade may follow: hole-punch.ts). */
  onRelayed?(link: PeerLink, relay: RelayAddress): void;
}

/** Errors of a direct dial that a relay may get around: the address is unreachable or silent. */
function isWorthRelaying(error: unknown): boolean {
  return hasErrorCode(error, 'CONNECT_FAILED', 'NO_ANSWER', 'HANDSHAKE_TIMEOUT', 'NO_KEY_ANSWERED') || !isSwarmError(error);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export class RelayDialer implements LinkNode {
  private readonly relaysByKey = new Map<string, RelayAddress[]>();
  /** Relays found through relay hints (the DHT), per key: tried last (addRelayHint). */
  private readonly foundRelaysByKey = new Map<string, RelayAddress[]>();
  /** "keyhex host:port" of relays to call a key through (found through relay hints, or a link's only addresses): never dialled as the key. */
  private readonly hintedRelays = new Set<string>();
  /** Direct dials under way per key, and keys with a direct link up: a relay is not called for a key reached (or being reached) directly. */
  private readonly directDials = new Map<string, Set<Promise<PeerLink>>>();
  private readonly directLinks = new Map<string, number>();

  constructor(private readonly node: RelayCapableNode, private readonly options: RelayDialerOptions) {}

  /** Relays a key is registered with (from its magnet): tried before our own. */
  addRelays(key: Uint8Array, relays: RelayAddress[]): void {
    const hex = Buffer.from(key).toString('hex');
    const known = this.relaysByKey.get(hex) ?? [];
    for (const relay of relays) if (!known.some((r) => sameAddress(r, relay))) known.push(relay);
    this.relaysByKey.set(hex, known.slice(0, 16));
  }

  /** Dialling `relay` for `key` is a call through it to the key, not a dial of the key there. */
  callThrough(key: Uint8Array, relay: RelayAddress): void {
    if (this.hintedRelays.size < 1024) this.hintedRelays.add(`${Buffer.from(key).toString('hex')} ${formatPeerAddress(relay)}`);
  }

  /**
   * A relay found through a relay hint (the DHT): dialling `relay` for `key` goes through it
   * at once (the relay is silent to a handshake addressed to the key); its key is not known,
   * so the trusted keys are tried there (an address-only dial).
   */
  addRelayHint(key: Uint8Array, relay: RelayAddress): void {
    this.callThrough(key, relay);
    const hex = Buffer.from(key).toString('hex');
    // Anyone who can compute a share's hint key can announce under it: found relays come
    // after the magnet's and our own, and only a few per key.
    const found = this.foundRelaysByKey.get(hex) ?? [];
    if (found.length < MAX_FOUND_RELAYS_PER_KEY && !found.some((r) => sameAddress(r, relay))) found.push(relay);
    this.foundRelaysByKey.set(hex, found);
  }

  handle(kind: ChannelKind, handler: (link: PeerLink) => void | boolean | string): void {
    this.node.handle(kind, handler);
  }

  trustedKeys(): Uint8Array[] {
    return this.node.trustedKeys();
  }

  listen(): Promise<{ host: string; port: number; isFallbackPort: boolean }> {
    return this.node.listen();
  }

  close(): Promise<void> {
    return this.node.close();
  }

  connect(host: string, port: number, channel: string, opts: { expectedKey?: Uint8Array } = {}): Promise<PeerLink> {
    const key = opts.expectedKey ?? this.node.pinnedKeyFor(host, port);
    if (key && this.hintedRelays.has(`${Buffer.from(key).toString('hex')} ${formatPeerAddress({ host, port })}`)) {
      return this.throughRelays(key, channel, [{ host, port }]);
    }
    const relays = key ? this.relaysFor(key) : [];
    const direct = key ? this.trackDirect(key, this.node.connect(host, port, channel, opts)) : this.node.connect(host, port, channel, opts);
    if (!key || relays.length === 0) return direct.catch((error: unknown) => Promise.reject(this.explain(error, key, host, port)));
    return new Promise((resolve, reject) => {
      let isSettled = false;
      let isRelayStarted = false;
      let running = 1;
      let directError: unknown;
      let relayError: unknown;
      const win = (link: PeerLink) => {
        if (isSettled) return link.close();
        isSettled = true;
        clearTimeout(timer);
        resolve(link);
      };
      const lose = () => {
        if (--running > 0 || isSettled) return;
        isSettled = true;
        clearTimeout(timer);
        reject(combine(directError, relayError, host, port));
      };
      const startRelay = () => {
        if (isRelayStarted || isSettled) return;
        isRelayStarted = true;
        running += 1;
        this.unlessReachedDirectly(key, direct).then(() => this.throughRelays(key, channel, relays)).then(win, (error: unknown) => {
          if (error !== REACHED_DIRECTLY) relayError = error;
          lose();
        });
      };
      const timer = setTimeout(startRelay, this.options.headStartMs ?? DIRECT_HEAD_START_MS);
      direct.then(win, (error: unknown) => {
        directError = error;
        if (isWorthRelaying(error)) startRelay();
        lose();
      });
    });
  }

  /** Counts a direct dial to `key` while it runs, and its link while it is up. */
  private trackDirect(key: Uint8Array, dial: Promise<PeerLink>): Promise<PeerLink> {
    const hex = Buffer.from(key).toString('hex');
    const dials = this.directDials.get(hex) ?? new Set();
    dials.add(dial);
    this.directDials.set(hex, dials);
    const settled = () => {
      dials.delete(dial);
      if (dials.size === 0 && this.directDials.get(hex) === dials) this.directDials.delete(hex);
    };
    dial.then((link) => {
      settled();
      this.directLinks.set(hex, (this.directLinks.get(hex) ?? 0) + 1);
      link.stream.once('close', () => {
        const left = (this.directLinks.get(hex) ?? 1) - 1;
        if (left > 0) this.directLinks.set(hex, left);
        else this.directLinks.delete(hex);
      });
    }, settled);
    return dial;
  }

  /**
   * Resolves when calling `key` through a relay is still worth it: no other direct dial to
   * it is under way (one to another of its addresses, e.g. a mapped port beside a private
   * one that failed at once) and none is up. Rejects (skipping the relay) otherwise.
   */
  private async unlessReachedDirectly(key: Uint8Array, own: Promise<PeerLink>): Promise<void> {
    const hex = Buffer.from(key).toString('hex');
    const others = [...(this.directDials.get(hex) ?? [])].filter((dial) => dial !== own);
    if (others.length > 0) await Promise.allSettled(others);
    if ((this.directLinks.get(hex) ?? 0) > 0) throw REACHED_DIRECTLY;
  }

  private relaysFor(key: Uint8Array): RelayAddress[] {
    const hex = Buffer.from(key).toString('hex');
    return orderRelays(this.relaysByKey.get(hex) ?? [], this.options.relays, this.foundRelaysByKey.get(hex) ?? []);
  }

  /** Each relay in turn; the error of the last one that got furthest. */
  private async throughRelays(key: Uint8Array, channel: string, relays: RelayAddress[]): Promise<PeerLink> {
    let lastError: unknown;
    for (const relay of relays) {
      let outer: PeerLink;
      try {
        outer = await this.node.connect(relay.host, relay.port, relayToChannel(key), relay.key ? { expectedKey: relay.key } : undefined);
      } catch (error) {
        lastError = this.relayError(error, relay, key);
        continue;
      }
      // Past the relay: what fails now is between us and the key (its trust list, its channel).
      const link = await this.node.connectOver(relayedStream(outer), channel, key, relay);
      this.options.onRelayed?.(link, relay);
      return link;
    }
    throw lastError;
  }

  private relayError(error: unknown, relay: RelayAddress, key: Uint8Array): unknown {
    const address = formatPeerAddress(relay);
    // A passing refusal (the key not registered yet, caps) is retried like a network failure.
    if (hasErrorCode(error, 'REFUSED_BY_PEER') && isPassingRefusal(error.reason ?? '')) return errors.connectFailed(relay.host, relay.port, `relay: ${refusalText(error.reason ?? '')}`);
    if (hasErrorCode(error, 'REFUSED_BY_PEER')) return errors.relayRefused(address, this.who(key), refusalText(error.reason ?? error.message));
    if (hasErrorCode(error, 'NO_ANSWER', 'NO_KEY_ANSWERED', 'UNTRUSTED_PEER')) return errors.relayUnanswered(address);
    return error;
  }

  private who(key: Uint8Array): string {
    return this.options.nameOf?.(encodeKeyText(key)) ?? fingerprint(key);
  }

  /** A direct dial failed and no relay is known: name the likely cause (not on loopback, where there is no router). */
  private explain(error: unknown, key: Uint8Array | undefined, host: string, port: number): unknown {
    if (!key || isLoopback(host) || !hasErrorCode(error, 'CONNECT_FAILED')) return error;
    return errors.unreachableNoRelay(this.who(key), host, port, error.reason ?? error.message);
  }
}

/** Both ways failed: a relay's own refusal says most; else the direct error, retried as a network failure. */
function combine(directError: unknown, relayError: unknown, host: string, port: number): unknown {
  if (relayError === undefined) return directError;
  if (hasErrorCode(relayError, 'RELAY_REFUSED', 'RELAY_NO_ANSWER', 'NO_ANSWER', 'REFUSED_BY_PEER')) return relayError;
  if (hasErrorCode(directError, 'CONNECT_FAILED') && isSwarmError(relayError)) {
    return errors.connectFailed(host, port, `${directError.reason ?? directError.message}; through the relay: ${relayError.message}`);
  }
  return directError ?? relayError;
}

function sameAddress(a: PeerAddress, b: PeerAddress): boolean {
  return a.host === b.host && a.port === b.port;
}

/**
 * The order relays are tried in for a key: its own (its magnet's x.relay), then ours
 * (--relay, learned), then those found through relay hints, which anyone who can compute a
 * share's hint key could have announced. Each address once.
 */
export function orderRelays(named: readonly RelayAddress[], own: readonly RelayAddress[], found: readonly RelayAddress[]): RelayAddress[] {
  const ordered: RelayAddress[] = [];
  for (const relay of [...named, ...own, ...found]) if (!ordered.some((r) => sameAddress(r, relay))) ordered.push(relay);
  return ordered;
}
