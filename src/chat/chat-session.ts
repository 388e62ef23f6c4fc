// One running chat: the gossip router, history, direct-message sealing and the chat
// links of a node (inbound, plus a persistent outbound link per --peer). The CLI
// feeds it lines and prints the entries it emits; it never prints anything itself.
import { EventEmitter } from 'node:events';
import { SwarmError } from '../errors.js';
import { fingerprint } from '../identity/key-text.js';
import type { TrustEntry } from '../identity/trust-store.js';
import { authorId, bodyText, MAX_BODY_BYTES, MessageKind, signMessage, type ChatMessage } from './chat-message.js';
import { ChatLink, type ChatPeerLink } from './chat-link.js';
import { cachedKeyText } from './key-text-cache.js';
import { ChatRouter } from './chat-router.js';
import type { ChatHistory } from './chat-history.js';
import { DirectSealer, ENVELOPE_OVERHEAD_BYTES, equalBytes } from './direct-message.js';
import { PeerDialer } from './peer-dialer.js';
import { ReplayGuard } from './replay-guard.js';

export const CHAT_CHANNEL = 'chat';
export const DEFAULT_SYNC_COUNT = 200;

/** What the session needs from net's SwarmNode (structural, so SwarmNode fits as is). */
export interface ChatNode {
  handle(channel: 'chat', handler: (link: ChatPeerLink) => void | boolean): void;
  connect(host: string, port: number, channel: string): Promise<ChatPeerLink>;
}

export interface ChatTrust {
  allows(publicKey: Uint8Array): boolean;
  nameOf(publicKey: Uint8Array): string | undefined;
  find(nameOrKeyText: string): TrustEntry | undefined;
}

export interface ChatSessionOptions {
  identity: { publicKey: Uint8Array; secretKey: Uint8Array };
  trust: ChatTrust;
  node: ChatNode;
  history: ChatHistory;
  peers?: readonly { host: string; port: number }[];
  /** Recent messages sent to every new link so a reconnecting peer catches up. */
  syncCount?: number;
  redialMinDelayMs?: number;
  redialMaxDelayMs?: number;
}

/** A message as the user sees it. Strings from peers are raw: the printer escapes them. */
export interface ChatEntry {
  id: string;
  from: string; // author key text
  name: string; // trusted name, "me", or a fingerprint
  text: string;
  ts: number;
  seq: number;
  isOwn: boolean;
  direct: boolean;
  to?: string; // recipient key text, for direct messages
  toName?: string;
}

export interface ChatPeerInfo {
  key: string;
  name: string;
  host: string;
  port: number;
  isInitiator: boolean;
}

export interface ChatSessionEvents {
  message: [entry: ChatEntry];
  'peer-join': [peer: ChatPeerInfo];
  'peer-leave': [peer: ChatPeerInfo];
  'dial-error': [address: string, error: unknown];
}

export class ChatSession extends EventEmitter<ChatSessionEvents> {
  readonly router: ChatRouter;
  private readonly guard = new ReplayGuard();
  private readonly sealer: DirectSealer;
  private readonly links = new Set<ChatLink>();
  private readonly dialers: PeerDialer<ChatPeerLink>[] = [];
  private readonly myId: string;
  private lastSeq: number;
  private closed = false;

  constructor(private readonly options: ChatSessionOptions) {
    super();
    const { identity, history, trust } = options;
    this.myId = authorId(identity.publicKey);
    this.sealer = new DirectSealer(identity.publicKey, identity.secretKey);
    // Our own history is trusted input: restore the replay state from it.
    for (const [author, floor] of history.olderSeqFloors) this.guard.raiseFloor(author, floor);
    for (const message of history.recent()) this.guard.remember(authorId(message.author), message.seq);
    this.lastSeq = history.highestSeqs.get(this.myId) ?? 0;
    this.router = new ChatRouter({
      isTrusted: (key) => equalBytes(key, identity.publicKey) || trust.allows(key),
      guard: this.guard,
    });
    this.router.on('message', (message) => this.accept(message));
  }

  start(): void {
    this.options.node.handle(CHAT_CHANNEL, (link) => {
      if (this.closed) return false;
      void this.runLink(link);
      return true;
    });
    for (const { host, port } of this.options.peers ?? []) {
      const address = `${host}:${port}`;
      const dialer = new PeerDialer(
        () => this.options.node.connect(host, port, CHAT_CHANNEL),
        (link) => this.runLink(link),
        {
          minDelayMs: this.options.redialMinDelayMs,
          maxDelayMs: this.options.redialMaxDelayMs,
          onError: (error) => this.emit('dial-error', address, error),
        },
      );
      this.dialers.push(dialer);
      dialer.start();
    }
  }

  /** Entries from history that this user may read (public, or DMs to or from us) by authors trusted now, oldest first. */
  historyEntries(count: number): ChatEntry[] {
    const entries: ChatEntry[] = [];
    const messages = this.options.history.recent();
    for (let i = messages.length - 1; i >= 0 && entries.length < count; i--) {
      // A key removed from the trust store since is not shown any more, old lines included.
      if (!this.router.isTrusted(messages[i]!.author)) continue;
      const entry = this.toEntry(messages[i]!);
      if (entry) entries.push(entry);
    }
    return entries.reverse();
  }

  send(text: string): ChatEntry {
    const body = new TextEncoder().encode(text);
    if (body.length > MAX_BODY_BYTES) throw tooLong(MAX_BODY_BYTES);
    return this.publish(MessageKind.Public, body);
  }

  sendDirect(nameOrKey: string, text: string): ChatEntry {
    const recipient = this.options.trust.find(nameOrKey);
    if (!recipient) {
      throw new SwarmError('UNKNOWN_PEER', `no trusted key is named "${nameOrKey}"`, {
        hint: 'type /trust to see the names you can write to',
      });
    }
    if (new TextEncoder().encode(text).length > MAX_BODY_BYTES - ENVELOPE_OVERHEAD_BYTES) {
      throw tooLong(MAX_BODY_BYTES - ENVELOPE_OVERHEAD_BYTES);
    }
    return this.publish(MessageKind.Direct, this.sealer.seal(text, recipient.publicKey));
  }

  peers(): ChatPeerInfo[] {
    return [...this.links].map((link) => this.peerInfo(link.peer));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const dialer of this.dialers) dialer.stop();
    for (const link of [...this.links]) link.close();
    this.options.history.flush();
  }

  private publish(kind: MessageKind, body: Uint8Array): ChatEntry {
    if (this.closed) throw new SwarmError('CHAT_CLOSED', 'the chat has ended');
    // Sequence numbers must rise even if the history file was lost, so they start from
    // the clock in microseconds when that is higher than the last one we used (which
    // also keeps two processes sharing one identity from colliding in practice).
    const seq = Math.max(this.lastSeq + 1, Math.floor((performance.timeOrigin + performance.now()) * 1000));
    this.lastSeq = seq;
    const { publicKey, secretKey } = this.options.identity;
    const message = signMessage({ author: publicKey, seq, ts: Date.now(), kind, body }, secretKey);
    this.router.publish(message);
    this.options.history.append(message);
    return this.toEntry(message)!;
  }

  private accept(message: ChatMessage): void {
    this.options.history.append(message);
    const entry = this.toEntry(message);
    if (entry) this.emit('message', entry);
  }

  /** Undefined for a DM that is neither to nor from us (we only relay it). */
  private toEntry(message: ChatMessage): ChatEntry | undefined {
    const isOwn = equalBytes(message.author, this.options.identity.publicKey);
    const base = {
      id: message.id,
      from: cachedKeyText(message.author),
      name: isOwn ? 'me' : this.nameOf(message.author),
      ts: message.ts,
      seq: message.seq,
      isOwn,
    };
    if (message.kind === MessageKind.Public) return { ...base, text: bodyText(message), direct: false };
    const text = this.sealer.open(message.body, message.author);
    if (text === undefined) return undefined;
    const recipient = DirectSealer.recipientOf(message.body)!;
    const toMe = equalBytes(recipient, this.options.identity.publicKey);
    return { ...base, text, direct: true, to: cachedKeyText(recipient), toName: toMe ? 'me' : this.nameOf(recipient) };
  }

  private nameOf(key: Uint8Array): string {
    return this.options.trust.nameOf(key) ?? fingerprint(key);
  }

  private peerInfo(peer: ChatPeerLink): ChatPeerInfo {
    return {
      key: peer.remoteKeyText,
      name: this.nameOf(peer.remoteKey),
      host: peer.remoteHost,
      port: peer.remotePort,
      isInitiator: peer.isInitiator,
    };
  }

  /** Runs one link until it closes (the promise lets a dialer wait for that). */
  private runLink(peer: ChatPeerLink): Promise<void> {
    if (this.closed) {
      peer.close();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const link = new ChatLink(peer, {
        onRecord: (from, record) => this.router.receive(from, record),
        onClose: (closedLink) => {
          this.links.delete(closedLink);
          this.router.removeLink(closedLink);
          if (!this.closed) this.emit('peer-leave', this.peerInfo(peer));
          resolve();
        },
      });
      this.links.add(link);
      this.emit('peer-join', this.peerInfo(peer));
      this.router.addLink(link, this.options.history.recent(this.options.syncCount ?? DEFAULT_SYNC_COUNT));
    });
  }
}

function tooLong(maxBytes: number): SwarmError {
  return new SwarmError('MESSAGE_TOO_LONG', `message too long (over ${maxBytes} bytes)`, { hint: 'split it into several lines' });
}
