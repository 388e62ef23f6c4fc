/**
 * Routes the node's incoming "torrent <infohash>" links to the torrent they name;
 * a link for a torrent this process does not serve is refused (handler returns false).
 */
import { infoHashOf } from '../net/channel-name.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';

export interface LinkAcceptor {
  attach(link: PeerLink): boolean;
}

export class TorrentRouter {
  private readonly torrents = new Map<string, LinkAcceptor>();

  constructor(node: LinkNode) {
    node.handle('torrent', (link) => this.route(link));
  }

  add(infoHash: string, acceptor: LinkAcceptor): void {
    this.torrents.set(infoHash, acceptor);
  }

  remove(infoHash: string): void {
    this.torrents.delete(infoHash);
  }

  private route(link: PeerLink): boolean {
    const infoHash = infoHashOf(link.channel);
    const acceptor = infoHash ? this.torrents.get(infoHash) : undefined;
    if (!acceptor) return false;
    return acceptor.attach(link);
  }
}
