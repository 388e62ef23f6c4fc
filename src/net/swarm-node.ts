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
import { createServer, type Server, type Socket } from 'node:net';
import { SwarmError, systemErrorCode } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { fingerprint } from '../identity/key-text.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, secureInbound, secureOutbound } from '../secure/establish-channel.js';
import type { SecureChannel } from '../secure/secure-channel.js';
import { channelKind, type ChannelKind } from './channel-name.js';
import { connectSocket } from './connect-socket.js';
import { DEFAULT_HANDSHAKE_RATES, HandshakeBudget, type HandshakeRates } from './handshake-budget.js';
import { DEFAULT_PENDING_LIMITS, PendingConnections } from './pending-connections.js';
import { createPeerLink, type LinkNode, type PeerLink } from './peer-link.js';

/** The port a node listens on when none is given (falls back to any free port if taken). */
export const DEFAULT_PORT = 7927;
export const DEFAULT_MAX_LINKS_PER_PEER = 16;

export interface TrustPolicy {
  allows(publicKey: Uint8Array): boolean;
  /** Every trusted key (a TrustStore has it); used to tell peers whom we accept introductions to. */
  list?(): { publicKey: Uint8Array }[];
  watch?(onChange: () => void, intervalMs?: number, onError?: (error: unknown) => void): () => void;
}

export interface SwarmNodeOptions {
  identity: Identity;
  trust: TrustPolicy;
  host?: string;
  port?: number;
  handshakeTimeoutMs?: number;
  maxPendingHandshakes?: number;
  maxPendingPerAddress?: number;
  /** How many inbound handshakes are answered per second (defaults: DEFAULT_HANDSHAKE_RATES). */
  handshakeRates?: Partial<HandshakeRates>;
  maxLinksPerPeer?: number;
  /** Largest transport frame accepted (default and maximum 65,535, the Noise limit). */
  maxFrameBytes?: number;
  trustPollMs?: number;
  /** Receives one line per refusal or revocation (with the key fingerprint when known). */
  log?: (line: string) => void;
}

export interface Refusal {
  code: string;
  message: string;
  fingerprint?: string;
  remoteHost: string;
  remotePort: number;
}

export type ChannelHandler = (link: PeerLink) => void | boolean;

export class SwarmNode extends EventEmitter implements LinkNode {
  /** Refusals so far, by error code (UNTRUSTED_PEER, HANDSHAKE_TIMEOUT, PENDING_EVICTED, …). */
  readonly refusalCounts = new Map<string, number>();
  private server?: Server;
  private readonly pending: PendingConnections<Socket>;
  private readonly budget: HandshakeBudget;
  private readonly links = new Set<PeerLink>();
  private readonly handlers = new Map<ChannelKind, ChannelHandler>();
  private readonly evicted = new WeakSet<Socket>();
  // Every accepted socket, so close() does not wait for refused peers to read their refusal.
  private readonly sockets = new Set<Socket>();
  private stopWatching?: () => void;
  private isClosed = false;

  constructor(private readonly options: SwarmNodeOptions) {
    super();
    this.pending = new PendingConnections({
      maxTotal: options.maxPendingHandshakes ?? DEFAULT_PENDING_LIMITS.maxTotal,
      maxPerAddress: options.maxPendingPerAddress ?? DEFAULT_PENDING_LIMITS.maxPerAddress,
    });
    this.budget = new HandshakeBudget({ ...DEFAULT_HANDSHAKE_RATES, ...options.handshakeRates });
    // A damaged trust file keeps the last good list in force; say so rather than silently.
    const onTrustError = (error: unknown) => this.options.log?.(`TRUST_UNREADABLE: ${error instanceof Error ? error.message : String(error)}`);
    this.stopWatching = options.trust.watch?.(() => this.dropRevoked(), options.trustPollMs ?? 500, onTrustError);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Live authenticated links. */
  get peerLinks(): PeerLink[] {
    return [...this.links];
  }

  /** The keys the trust policy lists (empty if it cannot list them). */
  trustedKeys(): Uint8Array[] {
    return this.options.trust.list?.().map((entry) => entry.publicKey) ?? [];
  }

  handle(channel: ChannelKind, handler: ChannelHandler): void {
    this.handlers.set(channel, handler);
  }

  async listen(): Promise<{ host: string; port: number }> {
    if (this.server) throw new Error('SwarmNode: already listening');
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    const { host, port } = this.options;
    try {
      await listenOn(server, host, port ?? DEFAULT_PORT);
    } catch (error) {
      // Only the default port falls back; a port the user asked for is theirs to fix.
      if (port !== undefined || systemErrorCode(error) !== 'EADDRINUSE') throw listenError(error, host, port ?? DEFAULT_PORT);
      await listenOn(server, host, 0);
    }
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('SwarmNode: listener has no TCP address');
    return { host: address.address, port: address.port };
  }

  async connect(host: string, port: number, channel: string, opts: { expectedKey?: Uint8Array; localAddress?: string } = {}): Promise<PeerLink> {
    if (channelKind(channel) === undefined) throw new SwarmError('BAD_CHANNEL', `not a channel name: ${JSON.stringify(channel)}`);
    if (this.isClosed) throw new SwarmError('NODE_CLOSED', 'the node is shutting down');
    const timeoutMs = this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const socket = await connectSocket(host, port, timeoutMs, opts.localAddress);
    const secure = await secureOutbound(socket, {
      identity: this.options.identity,
      allows: (key) => this.options.trust.allows(key),
      expectedKey: opts.expectedKey,
      channel,
      handshakeTimeoutMs: timeoutMs,
      maxFrameBytes: this.options.maxFrameBytes,
    }).catch((error: unknown) => {
      this.refused(error, host, port);
      throw error;
    });
    // The key was checked inside the handshake; check again in case it was revoked
    // while the channel was being opened (the trust watcher only sees tracked links).
    if (!this.options.trust.allows(secure.remoteKey)) {
      const print = fingerprint(secure.remoteKey);
      secure.close();
      const error = new SwarmError('UNTRUSTED_PEER', `key ${print} was removed from the trust store while connecting`);
      this.refused(error, host, port);
      throw error;
    }
    const link = createPeerLink(secure, host, port);
    this.track(link);
    return link;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.stopWatching?.();
    this.budget.close();
    for (const socket of this.pending.all()) socket.destroy();
    for (const link of this.links) link.close();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const remoteHost = socket.remoteAddress ?? '?';
    const remotePort = socket.remotePort ?? 0;
    if (this.isClosed) return void socket.destroy();
    socket.on('error', () => {});
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    for (const evicted of this.pending.admit(socket, remoteHost)) {
      evicted.destroy();
      if (evicted === socket) {
        // Turned away before reading a byte: the handshakes already pending from this address keep their slots.
        return this.count('PENDING_FULL', 'too many unauthenticated connections from this address; newcomer refused', remoteHost, remotePort);
      }
      this.evicted.add(evicted);
      this.count('PENDING_EVICTED', 'too many unauthenticated connections; evicted the oldest of the busiest network', evicted.remoteAddress ?? '?', evicted.remotePort ?? 0);
    }
    secureInbound(socket, {
      identity: this.options.identity,
      allows: (key) => this.options.trust.allows(key),
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      maxFrameBytes: this.options.maxFrameBytes,
      decideChannel: (channel) => this.decide(channel, remoteHost, remotePort),
      waitForTurn: () => this.budget.requestTurn(remoteHost),
    }).then(
      () => this.pending.release(socket, remoteHost),
      (error: unknown) => {
        this.pending.release(socket, remoteHost);
        if (!this.evicted.has(socket)) this.refused(error, remoteHost, remotePort);
      },
    );
  }

  /** Returns null to accept the channel, or the reason to refuse it. */
  private decide(channel: SecureChannel, remoteHost: string, remotePort: number): string | null {
    const kind = channelKind(channel.channel);
    if (kind === undefined) return `unknown channel ${JSON.stringify(channel.channel.slice(0, 80))}`;
    const handler = this.handlers.get(kind);
    if (!handler) return `this node does not serve ${kind}`;
    // Checked again here, not only inside the handshake: a key revoked between its
    // handshake and its channel request would otherwise slip past the trust watcher.
    if (!this.options.trust.allows(channel.remoteKey)) return 'your key is no longer on this node\'s trust list';
    const limit = this.options.maxLinksPerPeer ?? DEFAULT_MAX_LINKS_PER_PEER;
    const key = Buffer.from(channel.remoteKey);
    if (this.peerLinks.filter((link) => key.equals(link.remoteKey)).length >= limit) {
      return `too many connections from your key (limit ${limit})`;
    }
    const link = createPeerLink(channel, remoteHost, remotePort);
    this.track(link);
    if (handler(link) === false) {
      this.links.delete(link);
      return `${channel.channel} is not available here`;
    }
    return null;
  }

  private track(link: PeerLink): void {
    this.links.add(link);
    link.stream.once('close', () => this.links.delete(link));
  }

  private dropRevoked(): void {
    for (const link of this.links) {
      if (this.options.trust.allows(link.remoteKey)) continue;
      this.count('REVOKED', 'key removed from the trust store; link closed', link.remoteHost, link.remotePort, fingerprint(link.remoteKey));
      link.close();
    }
  }

  private refused(error: unknown, remoteHost: string, remotePort: number): void {
    const code = error instanceof SwarmError ? error.code : 'CONNECTION_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    this.count(code, message, remoteHost, remotePort);
  }

  private count(code: string, message: string, remoteHost: string, remotePort: number, keyFingerprint?: string): void {
    this.refusalCounts.set(code, (this.refusalCounts.get(code) ?? 0) + 1);
    const fingerprintMatch = keyFingerprint ?? /\b[0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}\b/.exec(message)?.[0];
    const refusal: Refusal = { code, message, fingerprint: fingerprintMatch, remoteHost, remotePort };
    this.options.log?.(`${code} ${remoteHost}:${remotePort}${fingerprintMatch ? ` key ${fingerprintMatch}` : ''}: ${message}`);
    this.emit('refused', refusal);
  }
}

const LISTEN_BACKLOG = 4096;

function listenOn(server: Server, host: string | undefined, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    // A deep accept queue: a burst of connections (a flood, or many peers at once) waits
    // there to be turned away cheaply, instead of overflowing and making the kernel drop the
    // SYNs of everyone, trusted peers included, who then retry only after a second.
    server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function listenError(error: unknown, host: string | undefined, port: number): SwarmError {
  const code = systemErrorCode(error);
  const where = `${host ?? '*'}:${port}`;
  if (code === 'EADDRINUSE') return new SwarmError('PORT_IN_USE', `port ${port} is already in use (${where})`, { hint: 'choose another with --port, or --port 0 for any free port' });
  if (code === 'EADDRNOTAVAIL') return new SwarmError('BAD_HOST', `cannot listen on ${where}: no such local address`, { hint: 'check --host' });
  if (code === 'EACCES') return new SwarmError('PORT_DENIED', `not allowed to listen on ${where}`, { hint: 'use a port above 1023' });
  return new SwarmError('LISTEN_FAILED', `cannot listen on ${where}: ${code ?? String(error)}`);
}
