/**
 * What a torrent does with a second link from a key it already has a link with. Both ends
 * must come to the same answer, or they close a link each and end with none:
 *
 * - Opposite directions (the two nodes dialled each other at once): both keep the link
 *   initiated by the smaller key text, a rule both ends compute alike.
 * - Both dialled by the peer: a node dials again only when it believes its link is gone
 *   (its address changed, it noticed a dead path), so the old link is probed: if it does
 *   not answer within ~1.5 s it is dead and the new one replaces it; if it answers, the
 *   new one is closed. Probing rather than "newer wins" keeps a peer that raced two dials
 *   (several addresses in a magnet) from flapping, and means the peer's own view (it keeps
 *   its older link, see below) decides: that older link then answers.
 * - Both dialled by us: we keep the link we have (the peer, probing it, finds it alive).
 * - One relayed, one direct (before all of the above): the direct one, at both ends (each
 *   sees which link runs through a relay), so a direct upgrade (relay/hole-punch.ts) takes
 *   the transfer off the relay and a relayed redial never displaces a direct link.
 */
import type { PeerLink } from '../net/peer-link.js';

export type DuplicateVerdict = 'keep-existing' | 'replace' | 'probe-existing';

export function duplicateVerdict(existing: PeerLink, incoming: PeerLink, ownKeyText: string): DuplicateVerdict {
  if ((existing.via === undefined) !== (incoming.via === undefined)) return incoming.via === undefined ? 'replace' : 'keep-existing';
  if (existing.isInitiator !== incoming.isInitiator) {
    const isPreferred = (link: PeerLink) => link.isInitiator === ownKeyText < link.remoteKeyText;
    return isPreferred(existing) ? 'keep-existing' : 'replace';
  }
  return incoming.isInitiator ? 'keep-existing' : 'probe-existing';
}

/**
 * New links waiting, unread, while the old link of their key is probed: at most one per
 * key, so a peer dialling in a loop costs one PING at a time.
 */
export class ProbeBeforeReplace {
  private readonly waiting = new Map<string, PeerLink>();

  /**
   * Probes `existing`; then calls `onDead()` (the old link is closed: take the new one) or,
   * if it answered, `onAlive()` (close the new one). False when a link of this key already waits.
   */
  start(existing: PeerLink, link: PeerLink, handlers: { onDead(): void; onAlive(): void }): boolean {
    const key = link.remoteKeyText;
    if (this.waiting.has(key)) return false;
    this.waiting.set(key, link);
    void existing.probe().then((isAlive) => {
      this.waiting.delete(key);
      if (link.stream.destroyed) return;
      if (isAlive) handlers.onAlive();
      else handlers.onDead();
    });
    return true;
  }

  close(): void {
    for (const link of this.waiting.values()) link.close();
    this.waiting.clear();
  }
}
