// One running chat: the gossip router, history, direct-message sealing and the chat
// links of a node (inbound, plus a persistent outbound link per --peer). The CLI
// feeds it lines and prints the entries it emits; it never prints anything itself.
import { EventEmitter } from 'node:events';
import { errors } from '../errors.js';
import { fingerprint } from '../identity/key-text.js';
import { authorId, MAX_BODY_BYTES, MessageKind, signMessage, type ChatMessage } from './chat-message.js';
import { CHAT_CHANNEL } from '../net/channel-name.js';
import type { PeerLink } from '../net/peer-link.js';
import { exponentialBackoff, Redial } from '../net/redial.js';
import { ChatLink } from './chat-link.js';
import { cachedKeyText } from './key-text-cache.js';
import { ChatRouter } from './chat-router.js';
import { DirectSealer, ENVELOPE_OVERHEAD_BYTES, equalBytes } from './direct-message.js';
import { ReplayGuard } from './replay-guard.js';
import { AuthorRateLimit, DEFAULT_RATE_LIMITS } from './author-rate-limit.js';
import { ChatSync } from './chat-sync.js';
import { RelayRoutes, type RelayedPeer } from './relay-routes.js';
import { LinkThrottle } from './link-throttle.js';
import { ChatEntries, type ChatEntry } from './chat-entry.js';
import type { ChatPeerInfo, ChatSessionEvents, ChatSessionOptions, ChatSnapshot } from './chat-session-types.js';

export type { RelayedPeer, ChatEntry };
export type { ChatTrust, ChatSessionOptions, ChatPeerInfo, ChatSnapshot, ChatSessionEvents } from './chat-session-types.js';

const REDIAL_MIN_DELAY_MS = 200;
const REDIAL_MAX_DELAY_MS = 5000;
/** A link that lived this long was not a flapping peer: the next redial starts fast again. */
const HEALTHY_LINK_MS = 5000;
/** A new link gets public messages at most this old (and only DMs addressed to its peer). */
export const DEFAULT_SYNC_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export class ChatSession extends EventEmitter<ChatSessionEvents> {
  readonly router: ChatRouter;
  private readonly guard = new ReplayGuard();
  private readonly sealer: DirectSealer;
  private readonly entries: ChatEntries;
  private readonly links = new Set<ChatLink>();
  private readonly redials: Redial<PeerLink>[] = [];
  /** Keys being dialled because discovery found them (bounded by the trust list). */
  private readonly discoveryDials = new Set<string>();
  private readonly myId: string;
  private readonly rateLimit: AuthorRateLimit;
  private readonly rateLimitedAuthors = new Set<string>();
  private readonly linkThrottle = new LinkThrottle();
  private readonly sync: ChatSync;
  private readonly routes = new RelayRoutes<ChatLink>();
  private lastSeq: number;
  private closed = false;

  constructor(private readonly options: ChatSessionOptions) {
    super();
    const { identity, history, trust } = options;
    this.myId = authorId(identity.publicKey);
    this.sealer = new DirectSealer(identity.publicKey, identity.secretKey);
    this.entries = new ChatEntries(identity.publicKey, this.sealer, (key) => this.nameOf(key));
    // Our own history is trusted input: restore the replay state from it.
    for (const [author, floor] of history.olderSeqFloors) this.guard.raiseFloor(author, floor);
    for (const [author, seq] of history.retainedSeqs()) this.guard.remember(author, seq);
    this.lastSeq = history.highestSeqs.get(this.myId) ?? 0;
    this.rateLimit = new AuthorRateLimit(options.rateLimits ?? DEFAULT_RATE_LIMITS);
    this.router = new ChatRouter({
      isTrusted: (key) => equalBytes(key, identity.publicKey) || trust.allows(key),
      guard: this.guard,
      rateLimit: this.rateLimit,
    });
    this.router.on('message', (message, from, isBacklog) => {
      if (!isBacklog) this.routes.heard(message.author, from as ChatLink);
      this.accept(message, isBacklog);
    });
    this.sync = new ChatSync({
      self: identity.publicKey,
      history,
      router: this.router,
      maxAgeMs: options.syncMaxAgeMs ?? DEFAULT_SYNC_MAX_AGE_MS,
      trust,
      onMissing: (author, count) => this.emit('missing', { key: cachedKeyText(author), name: this.nameOf(author) }, count),
    });
    history.onWriteError = (error) => this.emit('history-error', error);
    this.router.on('rate-limited', (author, from) => {
      this.linkThrottle.dropped(from as ChatLink);
      const key = cachedKeyText(author);
      if (this.rateLimitedAuthors.has(key)) return;
      this.rateLimitedAuthors.add(key);
      this.emit('rate-limited', { key, name: this.nameOf(author) });
    });
  }

  start(): void {
    this.options.node.handle(CHAT_CHANNEL, (link) => {
      if (this.closed) return false;
      void this.runLink(link);
      return true;
    });
    for (const { host, port, keyText } of this.options.peers ?? []) {
      const address = `${host}:${port}`;
      const expectedKey = keyText === undefined ? undefined : this.options.trust.find(keyText)?.publicKey;
      const redial = new Redial<PeerLink>({
        dial: () => this.options.node.connect(host, port, CHAT_CHANNEL, expectedKey && { expectedKey }),
        run: (link) => this.runLink(link),
        backoff: exponentialBackoff({
          minDelayMs: this.options.redialMinDelayMs ?? REDIAL_MIN_DELAY_MS,
          maxDelayMs: this.options.redialMaxDelayMs ?? REDIAL_MAX_DELAY_MS,
          healthyAfterMs: HEALTHY_LINK_MS,
        }),
        onError: (error) => this.emit('dial-error', address, error),
      });
      this.redials.push(redial);
      redial.start();
    }
  }

  /**
   * Dials a trusted peer that discovery found at host:port, once, unless a link to its key
   * is up or being dialled. No redial: its next beacon says where it is then.
   */
  linkTo(host: string, port: number, keyText: string): void {
    if (this.closed || this.discoveryDials.has(keyText) || this.peers().some((peer) => peer.key === keyText)) return;
    const entry = this.options.trust.find(keyText);
    if (!entry || !this.options.trust.allows(entry.publicKey)) return;
    this.discoveryDials.add(keyText);
    this.options.node.connect(host, port, CHAT_CHANNEL, { expectedKey: entry.publicKey }).then(
      (link) => {
        this.discoveryDials.delete(keyText);
        return this.runLink(link);
      },
      () => this.discoveryDials.delete(keyText), // the node counts the refusal; the next beacon retries
    );
  }

  /** Entries from history that this user may read (public, or DMs to or from us) by authors trusted now, oldest first. */
  historyEntries(count: number): ChatEntry[] {
    const entries: ChatEntry[] = [];
    // A key removed from the trust store since is not shown any more, old lines included.
    for (const message of this.options.history.newestFirst((decoded) => this.router.isTrusted(decoded.author))) {
      if (entries.length >= count) break;
      const entry = this.entries.toEntry(message);
      if (entry) entries.push(entry);
    }
    return entries.reverse();
  }

  send(text: string): ChatEntry {
    const body = new TextEncoder().encode(text);
    if (body.length > MAX_BODY_BYTES) throw errors.messageTooLong(MAX_BODY_BYTES);
    return this.publish(MessageKind.Public, body);
  }

  sendDirect(nameOrKey: string, text: string): ChatEntry {
    const recipient = this.options.trust.find(nameOrKey);
    if (!recipient) {
      throw errors.unknownChatPeer(nameOrKey);
    }
    if (new TextEncoder().encode(text).length > MAX_BODY_BYTES - ENVELOPE_OVERHEAD_BYTES) {
      throw errors.messageTooLong(MAX_BODY_BYTES - ENVELOPE_OVERHEAD_BYTES);
    }
    return this.publish(MessageKind.Direct, this.sealer.seal(text, recipient.publicKey));
  }

  /** Messages of this author dropped for going over the rate limit. */
  droppedFrom(publicKey: Uint8Array): number {
    return this.rateLimit.dropped(authorId(publicKey));
  }

  get droppedTotal(): number {
    return this.rateLimit.totalDropped;
  }

  peers(): ChatPeerInfo[] {
    return [...this.links].map((link) => this.peerInfo(link.peer));
  }

  snapshot(): ChatSnapshot {
    const peers = this.peers();
    const linked = new Set(peers.map((peer) => peer.key));
    const self = cachedKeyText(this.options.identity.publicKey);
    return { peers, relayed: this.routes.relayed(linked, this.links, self, (key) => this.nameOf(key)) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const redial of this.redials) redial.stop();
    for (const link of [...this.links]) link.close();
    this.options.history.flush();
  }

  private publish(kind: MessageKind, body: Uint8Array): ChatEntry {
    if (this.closed) throw errors.chatClosed();
    // Sequence numbers must rise even if the history file was lost, so they start from
    // the clock in microseconds when that is higher than the last one we used (which
    // also keeps two processes sharing one identity from colliding in practice).
    const seq = Math.max(this.lastSeq + 1, Math.floor((performance.timeOrigin + performance.now()) * 1000));
    this.lastSeq = seq;
    const { publicKey, secretKey } = this.options.identity;
    const message = signMessage({ author: publicKey, seq, ts: Date.now(), kind, body }, secretKey);
    this.router.publish(message);
    this.options.history.append(message);
    return this.entries.toEntry(message)!;
  }

  private accept(message: ChatMessage, isBacklog: boolean): void {
    // A DM between two others is relayed (the router did) but not kept: we could never
    // read it, and storing it would let anyone fill our disk and our backlog with it.
    if (message.kind === MessageKind.Direct && !this.entries.isMine(message)) return;
    this.options.history.append(message);
    const entry = this.entries.toEntry(message);
    if (entry) this.emit('message', isBacklog ? { ...entry, backlog: true } : entry);
  }

  private nameOf(key: Uint8Array): string {
    return this.options.trust.nameOf(key) ?? fingerprint(key);
  }

  private peerInfo(peer: PeerLink): ChatPeerInfo {
    return {
      key: peer.remoteKeyText,
      name: this.nameOf(peer.remoteKey),
      host: peer.remoteHost,
      port: peer.remotePort,
      isInitiator: peer.isInitiator,
      ...(peer.via === undefined ? {} : { via: peer.via }),
    };
  }

  /** A revoked key has no name in the trust list any more: say who it was, and why it left. */
  private leaveInfo(peer: PeerLink, joined: ChatPeerInfo): ChatPeerInfo {
    if (this.options.trust.allows(peer.remoteKey)) return this.peerInfo(peer);
    return { ...joined, wasRemoved: true };
  }

  /**
   * A peer that links again while we hold a link from it has usually lost that one (its
   * address changed, it slept): our old link is probed and closed if it does not answer
   * within ~1.5 s, so the dead one stops taking our messages and the peer is shown as
   * left. A live one answers and stays (two nodes that dial each other keep both links,
   * as before), so nothing flaps; a peer linking in a loop costs one PING per link it has.
   */
  private probeOlderLinks(link: ChatLink): void {
    for (const other of this.links) {
      if (equalBytes(other.remoteKey, link.remoteKey)) void other.peer.probe();
    }
  }

  /** Runs one link until it closes (the promise lets a redial wait for that). */
  private runLink(peer: PeerLink): Promise<void> {
    if (this.closed) {
      peer.close();
      return Promise.resolve();
    }
    const joined = this.peerInfo(peer);
    return new Promise((resolve) => {
      const link = new ChatLink(peer, {
        onRecord: (from, record) => {
          if (!this.sync.receive(from, record)) this.router.receive(from, record);
        },
        onClose: (closedLink) => {
          this.links.delete(closedLink);
          this.linkThrottle.forget(closedLink);
          this.router.removeLink(closedLink);
          if (!this.closed) this.emit('peer-leave', this.leaveInfo(peer, joined));
          resolve();
        },
      });
      this.probeOlderLinks(link);
      this.links.add(link);
      this.emit('peer-join', joined);
      this.router.addLink(link);
      this.sync.opened(link);
    });
  }
}
