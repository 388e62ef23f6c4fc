/**
 * Routes the node's incoming "torrent <infohash>" links to the torrent they name. A link
 * for a torrent this process does not serve is refused with its cause
 * (net/refusal-reason.ts): `starting` while a share is still being prepared (hashing), so
 * a getter that dials a restarting sharer waits instead of giving up; `other-share` when
 * the node serves other torrents (the link is for a stopped or replaced share); `no-share`
 * when it serves none.
 */
import { infoHashOf } from '../net/channel-name.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';
import { refusalReason } from '../net/refusal-reason.js';

export interface LinkAcceptor {
  attach(link: PeerLink): boolean;
  /** Like attach, but says why a link is refused (a refusal reason); null when taken. */
  attachOrRefuse?(link: PeerLink): string | null;
}

export interface TorrentRouterOptions {
  /** Answer `starting` to every torrent link until the first torrent is added (`swarm share`). */
  isStarting?: boolean;
}

export class TorrentRouter {
  private readonly torrents = new Map<string, LinkAcceptor>();
  private isStarting: boolean;

  constructor(node: LinkNode, options: TorrentRouterOptions = {}) {
    this.isStarting = !!options.isStarting;
    node.handle('torrent', (link) => this.route(link));
  }

  add(infoHash: string, acceptor: LinkAcceptor): void {
    this.torrents.set(infoHash, acceptor);
    this.isStarting = false;
  }

  remove(infoHash: string): void {
    this.torrents.delete(infoHash);
  }

  private route(link: PeerLink): boolean | string {
    const infoHash = infoHashOf(link.channel);
    const acceptor = infoHash ? this.torrents.get(infoHash) : undefined;
    if (acceptor?.attachOrRefuse) return acceptor.attachOrRefuse(link) ?? true;
    if (acceptor) return acceptor.attach(link);
    if (this.isStarting) return refusalReason('starting', 'this share is still being prepared; retry shortly');
    if (this.torrents.size > 0) return refusalReason('other-share', 'this node shares something else, not that torrent');
    return refusalReason('no-share', 'this node shares nothing right now');
  }
}
