/**
 * A swarm node: one TCP listener plus a dialer. Every connection runs the secure handshake
 * (secure/), is checked against the trust store, and is routed to a channel handler
 * ("chat" or "torrent <infohash>"). Resource bounds (design.md 3.4): a handshake deadline,
 * a cap on pending (unauthenticated) connections with per-address fairness, a CPU budget
 * for answering handshakes (per address, per network, global), a per-peer cap on live
 * links, and the frame cap of the secure channel. A key removed from the trust
 * store loses its live links at the next poll (default every 500 ms).
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { createServer, type Server, type Socket } from 'node:net';
import { errors, hasErrorCode, isSwarmError, systemErrorCode } from '../errors.js';
import { keyData } from '../identity/key-text.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../secure/establish-channel.js';
import type { SecureChannel } from '../secure/secure-channel.js';
import { channelKind, type ChannelKind } from './channel-name.js';
import { DEFAULT_PENDING_LIMITS } from './pending-connections.js';
import { createPeerLink, type LinkNode, type PeerLink } from './peer-link.js';
import { refusalReason } from './refusal-reason.js';
import { linkTimeoutFromEnv, watchLiveness } from './link-liveness.js';
import { formatPeerAddress } from './peer-address.js';
import { InboundGate } from './inbound-gate.js';
import { InboundHandshakes, type Peer } from './inbound-handshake.js';
import { keepAlive, OutboundDial } from './outbound-dial.js';
import type { ChannelHandler, Refusal, RefusalCode, SwarmNodeOptions } from './swarm-node-options.js';
import { listenError, listenOn } from './listen-on.js';

/** The port a node listens on when none is given (falls back to any free port if taken). */
export const DEFAULT_PORT = 7927;
export const DEFAULT_MAX_LINKS_PER_PEER = 16;

export type { ChannelHandler, PinnedKey, Refusal, RefusalCode, SwarmNodeOptions, TrustPolicy } from './swarm-node-options.js';

export class SwarmNode extends EventEmitter implements LinkNode {
  /**
   * Refusals so far, by code (UNTRUSTED_PEER, HANDSHAKE_TIMEOUT, PENDING_EVICTED, …); each is
   * also a 'refused' event, except connections dropped before a valid mac1 (BAD_MAC1,
   * NOT_SWARM_PEER, HANDSHAKE_TIMEOUT or CONNECTION_CLOSED before a message 1): those are
   * only counted.
   */
  readonly refusalCounts = new Map<RefusalCode, number>();
  private server?: Server;
  private readonly links = new Set<PeerLink>();
  private readonly handlers = new Map<ChannelKind, ChannelHandler>();
  private stopWatching?: () => void;
  private isClosed = false;
  private readonly linkTimeoutMs: number;
  // "host:port" -> the key named for it (--peer name@host:port).
  private readonly pinnedKeys = new Map<string, Uint8Array>();
  private readonly inbound: InboundGate;
  private readonly responder: InboundHandshakes;
  private readonly dial: OutboundDial;

  constructor(private readonly options: SwarmNodeOptions) {
    super();
    this.linkTimeoutMs = options.linkTimeoutMs ?? linkTimeoutFromEnv();
    this.dial = new OutboundDial(options, this.linkTimeoutMs, () => this.isClosed);
    this.responder = new InboundHandshakes(options, (channel, peer, via, isPunched) => this.decide(channel, peer, via, isPunched));
    this.inbound = new InboundGate({
      ownKey: options.identity.publicKey,
      timeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      limits: {
        maxTotal: options.maxPendingHandshakes ?? DEFAULT_PENDING_LIMITS.maxTotal,
        maxPerAddress: options.maxPendingPerAddress ?? DEFAULT_PENDING_LIMITS.maxPerAddress,
      },
      refusalCounts: this.refusalCounts,
      onPass: (socket, early, acceptedMs) => this.handshake(socket, early, acceptedMs),
      onRefusal: (refusal) => this.count(refusal),
      onVersionMismatch: (socket) => this.refused(errors.v1Initiator(), socket.remoteAddress ?? '?', socket.remotePort ?? 0, true),
    });
    for (const pin of options.pinnedKeys ?? []) this.pinKey(pin.host, pin.port, pin.key);
    // A damaged trust file keeps the last good list in force; say so rather than silently.
    const onTrustError = (error: unknown) => {
      this.emit('trust-error', error);
    };
    this.stopWatching = options.trust.watch?.(() => this.dropRevoked(), options.trustPollMs ?? 500, onTrustError);
  }

  get pendingCount(): number {
    return this.inbound.pendingCount;
  }

  /**
   * Inbound handshakes waiting for a CPU turn (handshake-budget.ts). While any wait, a
   * message 1 without a valid mac2 gets a cookie reply (docs/protocol.md section 1, check 3).
   */
  get handshakesWaiting(): number {
    return this.responder.waiting;
  }

  /** Live authenticated links. */
  get peerLinks(): PeerLink[] {
    return [...this.links];
  }

  /** The keys the trust policy lists (empty if it cannot list them). */
  trustedKeys(): Uint8Array[] {
    return this.options.trust.list?.().map((entry) => entry.publicKey) ?? [];
  }

  /** Dials of `host:port` without a key use this one instead of searching (--peer name@host:port). */
  pinKey(host: string, port: number, key: Uint8Array): void {
    this.pinnedKeys.set(formatPeerAddress({ host, port }), key);
  }

  /** The key named for host:port (--peer name@host:port), if any. */
  pinnedKeyFor(host: string, port: number): Uint8Array | undefined {
    return this.pinnedKeys.get(formatPeerAddress({ host, port }));
  }

  handle(channel: ChannelKind, handler: ChannelHandler): void {
    this.handlers.set(channel, handler);
  }

  /** `isFallbackPort`: DEFAULT_PORT was taken, so the port is a free one chosen instead. */
  async listen(): Promise<{ host: string; port: number; isFallbackPort: boolean }> {
    if (this.server) throw new Error('SwarmNode: already listening');
    // No noDelay here: it is a setsockopt per accepted socket, set in handshake() once mac1 passes.
    const server = createServer((socket) => this.inbound.accept(socket));
    this.server = server;
    const { host, port } = this.options;
    let isFallbackPort = false;
    try {
      await listenOn(server, host, port ?? DEFAULT_PORT);
    } catch (error) {
      // Only the default port falls back; a port the user asked for is theirs to fix.
      if (port !== undefined || systemErrorCode(error) !== 'EADDRINUSE') throw listenError(error, host, port ?? DEFAULT_PORT);
      await listenOn(server, host, 0);
      isFallbackPort = true;
    }
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('SwarmNode: listener has no TCP address');
    return { host: address.address, port: address.port, isFallbackPort };
  }

  /**
   * Opens a link on `channel`. With `expectedKey`, only that key can answer (handshake v2 is
   * addressed to it); without, the trusted keys are tried (docs/protocol.md section 1,
   * "Dialling by address only") and the one that answered is remembered.
   */
  async connect(host: string, port: number, channel: string, opts: { expectedKey?: Uint8Array; localAddress?: string } = {}): Promise<PeerLink> {
    if (channelKind(channel) === undefined) throw errors.badChannel('a channel name', channel);
    if (this.isClosed) throw errors.nodeClosed();
    const localAddress = opts.localAddress ?? this.dial.outgoingAddressFor(host);
    const key = opts.expectedKey ?? this.pinnedKeys.get(formatPeerAddress({ host, port }));
    let secure: SecureChannel;
    try {
      secure = key ? await this.dial.dialKey(host, port, channel, key, localAddress) : await this.dial.dialAddress(host, port, channel, localAddress, this.trustedKeys().filter((trusted) => this.options.trust.allows(trusted)));
    } catch (error) {
      this.refused(error, host, port, false);
      throw error;
    }
    // The key was checked before dialling; check again in case it was revoked
    // while the channel was being opened (the trust watcher only sees tracked links).
    if (!this.options.trust.allows(secure.remoteKey)) {
      secure.close();
      const error = errors.revokedWhileConnecting(keyData(secure.remoteKey));
      this.refused(error, host, port, false);
      throw error;
    }
    this.options.addressBook?.rememberAnswer(host, port, secure.remoteKey);
    const link = createPeerLink(secure, host, port);
    this.track(link, secure);
    return link;
  }

  /**
   * Opens `channel` to `expectedKey` over a stream that is already open (one spliced by a
   * relay at `via`): a full handshake v2 end to end inside it (docs/protocol.md, "Relays").
   */
  connectOver(raw: Duplex, channel: string, expectedKey: Uint8Array, via: { host: string; port: number }): Promise<PeerLink> {
    return this.openOn(raw, channel, expectedKey, via, `${formatPeerAddress(via)} (relay)`);
  }

  /**
   * Opens `channel` to `expectedKey` on a TCP socket that is already connected (a
   * simultaneous open arranged through a relay, relay/hole-punch.ts): handshake v2 as on a dial.
   */
  async connectOn(socket: Socket, channel: string, expectedKey: Uint8Array): Promise<PeerLink> {
    keepAlive(socket, this.linkTimeoutMs);
    const link = await this.openOn(socket, channel, expectedKey, { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 });
    link.isPunched = true;
    return link;
  }

  private async openOn(raw: Duplex, channel: string, expectedKey: Uint8Array, peer: { host: string; port: number }, via?: string): Promise<PeerLink> {
    if (this.isClosed) {
      raw.destroy();
      throw errors.nodeClosed();
    }
    let secure: SecureChannel;
    try {
      secure = await this.dial.handshakeOn(raw, channel, expectedKey, via ?? formatPeerAddress(peer));
    } catch (error) {
      this.refused(error, peer.host, peer.port, false);
      throw error;
    }
    const link = createPeerLink(secure, peer.host, peer.port, via === undefined ? undefined : formatPeerAddress(peer));
    this.track(link, secure);
    return link;
  }

  /** Answers a handshake arriving over a stream a relay spliced to us, exactly as the listener would. */
  acceptOver(raw: Duplex, via: { host: string; port: number }): void {
    void this.answerOn(raw, via, formatPeerAddress(via));
  }

  /**
   * Answers a handshake on a TCP socket already connected (the other end of connectOn), as
   * the listener would; resolves true once a link is up, false when refused or failed.
   */
  acceptOn(socket: Socket): Promise<boolean> {
    keepAlive(socket, this.linkTimeoutMs);
    return this.answerOn(socket, { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 }, undefined, true);
  }

  private answerOn(raw: Duplex, peer: Peer, via?: string, isPunched = false): Promise<boolean> {
    if (this.isClosed) {
      raw.destroy();
      return Promise.resolve(false);
    }
    return this.responder.answerStream(raw, peer, via, isPunched).then(
      () => true,
      (error: unknown) => {
        this.refused(error, peer.host, peer.port, true);
        return false;
      },
    );
  }

  /**
   * Hands a link this node opened (connectOn) to its handler for the link's channel, as an
   * incoming one would be; false (and the link closed) when the handler refuses it.
   */
  adopt(link: PeerLink): boolean {
    const kind = channelKind(link.channel);
    const handler = kind === undefined ? undefined : this.handlers.get(kind);
    const verdict = handler ? handler(link) : false;
    if (verdict !== false && typeof verdict !== 'string') return true;
    link.close();
    return false;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.stopWatching?.();
    this.responder.close();
    this.inbound.close();
    for (const link of this.links) link.close();
    this.inbound.destroyAll();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A message 1 with a valid mac1: the rest of the handshake (Diffie-Hellman within the budget). */
  private handshake(socket: Socket, early: Buffer, acceptedMs: number): void {
    const peer = { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
    socket.setNoDelay(true);
    keepAlive(socket, this.linkTimeoutMs);
    this.responder.answerListener(socket, peer, early, acceptedMs).then(
      () => this.inbound.release(socket),
      (error: unknown) => {
        // A refused channel is answered (its REFUSE is being read): not silent, not expendable.
        if (!hasErrorCode(error, 'CHANNEL_REFUSED')) this.inbound.markFailed(socket);
        if (!this.inbound.wasEvicted(socket)) this.refused(error, peer.host, peer.port, true);
      },
    );
  }

  /** Returns null to accept the channel, or the reason to refuse it. */
  private decide(channel: SecureChannel, { host: remoteHost, port: remotePort }: Peer, via?: string, isPunched = false): string | null {
    const kind = channelKind(channel.channel);
    if (kind === undefined) return `unknown channel ${JSON.stringify(channel.channel.slice(0, 80))}`;
    const handler = this.handlers.get(kind);
    if (!handler) return refusalReason('no-service', `this node does not serve ${kind}`);
    // Checked again here, not only inside the handshake: a key revoked between its
    // handshake and its channel request would otherwise slip past the trust watcher.
    if (!this.options.trust.allows(channel.remoteKey)) return refusalReason('not-trusted', 'your key is no longer on this node\'s trust list');
    const limit = this.options.maxLinksPerPeer ?? DEFAULT_MAX_LINKS_PER_PEER;
    const key = Buffer.from(channel.remoteKey);
    if (this.peerLinks.filter((link) => key.equals(link.remoteKey)).length >= limit) {
      return refusalReason('busy', `too many connections from your key (limit ${limit})`);
    }
    const link = createPeerLink(channel, remoteHost, remotePort, via);
    // Marked before the handler sees it: a punched link's address is no listening one (peer
    // exchange) and no proof that a port mapping works (nat noteInbound).
    if (isPunched) link.isPunched = true;
    this.track(link, channel);
    const verdict = handler(link);
    if (verdict === false || typeof verdict === 'string') {
      this.links.delete(link);
      return typeof verdict === 'string' ? verdict : `${channel.channel} is not available here`;
    }
    return null;
  }

  private track(link: PeerLink, channel: SecureChannel): void {
    // A link can be over before its dialler gets it (the answer and the peer's end frame in
    // one read): its 'close' has fired, so tracking it would keep it listed forever.
    if (link.stream.destroyed) return;
    watchLiveness(channel, this.linkTimeoutMs);
    this.links.add(link);
    link.stream.once('close', () => this.links.delete(link));
  }

  private dropRevoked(): void {
    for (const link of this.links) {
      if (this.options.trust.allows(link.remoteKey)) continue;
      const { remoteHost, remotePort } = link;
      const isInbound = !link.isInitiator;
      this.count({ code: 'REVOKED', message: 'key removed from the trust store; link closed', ...keyData(link.remoteKey), reason: 'removed from the trust list', isInbound, remoteHost, remotePort });
      link.close();
    }
  }

  private refused(error: unknown, remoteHost: string, remotePort: number, isInbound: boolean): void {
    if (!isSwarmError(error)) {
      this.count({ code: 'CONNECTION_FAILED', message: error instanceof Error ? error.message : String(error), isInbound, remoteHost, remotePort });
      return;
    }
    const { code, message, keyText, fingerprint, reason } = error;
    this.count({ code, message, keyText, fingerprint, reason, isInbound, remoteHost, remotePort });
  }

  private count(refusal: Refusal): void {
    this.refusalCounts.set(refusal.code, (this.refusalCounts.get(refusal.code) ?? 0) + 1);
    this.emit('refused', refusal);
  }
}
