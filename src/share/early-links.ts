/**
 * Links dialled while the engine loads. `swarm get` knows its sharer's address (and key)
 * from the magnet before webtorrent, a few hundred modules, is loaded; dialling then
 * overlaps the TCP connect, the secure handshake and the channel open (three round trips)
 * with that load instead of starting them after it. The torrent's dialer asks this node
 * for its links: the first ask for an address dialled early takes that dial's outcome,
 * link or error, as if it had dialled itself (so a refusal or silence is reported once,
 * not waited for twice); every other ask dials as usual. A link nobody took is closed.
 */
import type { ChannelKind } from '../net/channel-name.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';

type ConnectOptions = { expectedKey?: Uint8Array };

const keyOf = (host: string, port: number, channel: string) => `${host}\n${port}\n${channel}`;

export class EarlyLinks implements LinkNode {
  private readonly early = new Map<string, Promise<PeerLink>>();
  private isClosed = false;

  constructor(private readonly node: LinkNode) {}

  /** Starts dialling now; the dialer's later connect() with the same host, port and channel takes it. */
  start(host: string, port: number, channel: string, options?: ConnectOptions): void {
    const key = keyOf(host, port, channel);
    if (this.isClosed || this.early.has(key)) return;
    const dialing = this.node.connect(host, port, channel, options);
    dialing.catch(() => {}); // the error belongs to whoever takes it
    this.early.set(key, dialing);
  }

  connect(host: string, port: number, channel: string, options?: ConnectOptions): Promise<PeerLink> {
    const key = keyOf(host, port, channel);
    const early = this.early.get(key);
    if (!early) return this.node.connect(host, port, channel, options);
    this.early.delete(key);
    return early;
  }

  handle(kind: ChannelKind, handler: (link: PeerLink) => void | boolean | string): void {
    this.node.handle(kind, handler);
  }

  trustedKeys(): Uint8Array[] {
    return this.node.trustedKeys?.() ?? [];
  }

  /** Closes the links dialled early that nobody took (the get ended before its engine started). */
  close(): void {
    this.isClosed = true;
    for (const dialing of this.early.values()) dialing.then((link) => link.close(), () => {});
    this.early.clear();
  }
}
