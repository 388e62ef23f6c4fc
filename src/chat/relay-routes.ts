/**
 * Who is reachable through whom, for `/peers`: per author, the link its latest live
 * message arrived on. An author we are not linked to, heard through a link still open, is
 * "via" that neighbour. Catch-up (backlog) is not counted: an old message says nothing
 * about who is reachable now. Only trusted authors get here (the router drops the rest),
 * so the map is bounded by the trust list.
 */
import { cachedKeyText } from './key-text-cache.js';

interface Route<L> {
  author: Uint8Array;
  via: L;
  atMs: number;
}

/** What a relayed author looks like to the printer. */
export interface RelayedPeer {
  key: string;
  name: string;
  /** The linked neighbour their latest live message came through. */
  viaKey: string;
  viaName: string;
  lastHeardMs: number;
}

export class RelayRoutes<L extends { peer: { remoteKey: Uint8Array; remoteKeyText: string } }> {
  private readonly routes = new Map<string, Route<L>>();

  /** A live message of `author` arrived on `via`. */
  heard(author: Uint8Array, via: L, atMs = Date.now()): void {
    this.routes.set(cachedKeyText(author), { author, via, atMs });
  }

  /** Authors not in `linkedKeys` (nor `self`) whose latest message came through a link in `openLinks`. */
  relayed(linkedKeys: ReadonlySet<string>, openLinks: ReadonlySet<L>, self: string, nameOf: (key: Uint8Array) => string): RelayedPeer[] {
    const relayed: RelayedPeer[] = [];
    for (const [key, route] of this.routes) {
      if (key === self || linkedKeys.has(key) || !openLinks.has(route.via)) continue;
      const via = route.via.peer;
      relayed.push({ key, name: nameOf(route.author), viaKey: via.remoteKeyText, viaName: nameOf(via.remoteKey), lastHeardMs: route.atMs });
    }
    return relayed;
  }
}
