/**
 * Routes the node's incoming "torrent <infohash>" links to the torrent they name;
 * a link for a torrent this process does not serve is refused (handler returns false).
 */
import { infoHashOf, type TorrentNode, type TorrentPeerLink } from './torrent-node.js';

export interface LinkAcceptor {
  attach(link: TorrentPeerLink): boolean;
}

export class TorrentRouter {
  private readonly torrents = new Map<string, LinkAcceptor>();

  constructor(node: TorrentNode) {
    node.handle('torrent', (link) => this.route(link));
  }

  add(infoHash: string, acceptor: LinkAcceptor): void {
    this.torrents.set(infoHash, acceptor);
  }

  remove(infoHash: string): void {
    this.torrents.delete(infoHash);
  }

  private route(link: TorrentPeerLink): boolean {
    const infoHash = infoHashOf(link.channel);
    const acceptor = infoHash ? this.torrents.get(infoHash) : undefined;
    if (!acceptor) return false;
    return acceptor.attach(link);
  }
}
