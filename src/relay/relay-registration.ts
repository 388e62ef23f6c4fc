/**
 * The unreachable node's side: keeps a `relay register` link to each relay (redialled
 * with backoff, like torrent dials) and answers each CALL by dialling the relay back on
 * `relay back <token>` and running its own listener's handshake inside that link, so the
 * caller is checked against our trust list exactly as if it had reached our port.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { relayBackChannel, RELAY_REGISTER_CHANNEL } from '../net/channel-name.js';
import { formatPeerAddress } from '../net/peer-address.js';
import type { PeerLink } from '../net/peer-link.js';
import { exponentialBackoff, Redial } from '../net/redial.js';
import { CallReader } from './relay-call.js';
import type { RelayAddress } from './relay-address.js';
import { encodeHints } from './relay-hints.js';
import { relayedStream } from './relayed-stream.js';

export const REGISTER_MIN_DELAY_MS = 500;
export const REGISTER_MAX_DELAY_MS = 12_000;
/** Calls answered at once per relay: a relay is trusted, but its calls still cost dials. */
const MAX_CALLS_IN_FLIGHT = 32;
/** How often the hint set is looked at again (a new share, a new UTC day): sent only when it changed. */
export const HINTS_CHECK_MS = 30_000;

export interface RegisteringNode {
  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<PeerLink>;
  acceptOver(raw: Duplex, via: { host: string; port: number }): void;
}

/** Events: 'registered' {relay}, 'lost' {relay}, 'relay-error' {relay, error} (each failed dial). */
export class RelayRegistration extends EventEmitter {
  private readonly redials: Redial<PeerLink>[] = [];
  private readonly links = new Set<PeerLink>();
  private isClosed = false;
  private hintsRecord: Buffer | undefined;
  private readonly hintsTimer: NodeJS.Timeout | undefined;

  /** `hints`: the DHT keys each relay should announce for us (docs/protocol.md, "Relay hints"). */
  constructor(private readonly node: RegisteringNode, relays: RelayAddress[], private readonly hints?: () => Uint8Array[]) {
    super();
    if (hints) {
      this.hintsRecord = encodeHints(hints());
      this.hintsTimer = setInterval(() => this.checkHints(), HINTS_CHECK_MS);
      this.hintsTimer.unref();
    }
    for (const relay of relays) this.keep(relay);
  }

  /** Sends the hint set to every relay when it changed since the last time. */
  checkHints(): void {
    if (!this.hints) return;
    const record = encodeHints(this.hints!());
    if (this.hintsRecord?.equals(record)) return;
    this.hintsRecord = record;
    for (const link of this.links) link.stream.write(record);
  }

  /** Relays with a live registration now. */
  get registeredCount(): number {
    return this.links.size;
  }

  close(): void {
    this.isClosed = true;
    clearInterval(this.hintsTimer);
    for (const redial of this.redials) redial.stop();
    for (const link of this.links) link.close();
  }

  /** Keeps one more relay (one learned from a trusted peer). */
  add(relay: RelayAddress): void {
    if (!this.isClosed) this.keep(relay);
  }

  private keep(relay: RelayAddress): void {
    const address = formatPeerAddress(relay);
    const redial = new Redial<PeerLink>({
      dial: () => this.node.connect(relay.host, relay.port, RELAY_REGISTER_CHANNEL, relay.key ? { expectedKey: relay.key } : undefined),
      run: (link) => this.serve(relay, link),
      backoff: exponentialBackoff({ minDelayMs: REGISTER_MIN_DELAY_MS, maxDelayMs: REGISTER_MAX_DELAY_MS, healthyAfterMs: 5_000 }),
      onError: (error) => this.emit('relay-error', { relay: address, error }),
    });
    this.redials.push(redial);
    redial.start();
  }

  private serve(relay: RelayAddress, link: PeerLink): Promise<void | false> {
    if (this.isClosed) {
      link.close();
      return Promise.resolve(false);
    }
    const address = formatPeerAddress(relay);
    this.links.add(link);
    if (this.hintsRecord) link.stream.write(this.hintsRecord);
    this.emit('registered', { relay: address });
    const reader = new CallReader();
    let inFlight = 0;
    link.stream.on('data', (chunk: Buffer) => {
      const { tokens, error } = reader.push(chunk);
      if (error) return link.close();
      for (const token of tokens) {
        if (inFlight >= MAX_CALLS_IN_FLIGHT) continue; // the caller's call times out at the relay
        inFlight += 1;
        this.answer(relay, link.remoteKey, token).finally(() => (inFlight -= 1));
      }
    });
    link.stream.on('error', () => {});
    return new Promise((resolve) =>
      link.stream.once('close', () => {
        this.links.delete(link);
        if (!this.isClosed) this.emit('lost', { relay: address });
        resolve();
      }),
    );
  }

  private async answer(relay: RelayAddress, relayKey: Uint8Array, token: Buffer): Promise<void> {
    try {
      const back = await this.node.connect(relay.host, relay.port, relayBackChannel(token), { expectedKey: relayKey });
      this.node.acceptOver(relayedStream(back), relay);
    } catch (error) {
      this.emit('relay-error', { relay: formatPeerAddress(relay), error });
    }
  }
}
