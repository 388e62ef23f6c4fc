/**
 * What a get does while no peer is connected: keeps retrying and says once who it waits
 * for (a dial failed, or discovery is still looking), or gives up when no link and no
 * dial is left for STUCK_GRACE_MS. Polled, with the connect event remembered apart: a
 * link can carry a burst and drop between two polls.
 */
import type { DialFailure } from './torrent-dialer.js';
import type { TorrentPeers } from './torrent-peers.js';

/** How long get waits with no link and no dial left before giving up. */
const STUCK_GRACE_MS = 1500;
/** How long no peer may be connected before get says it is waiting (a quick redial says nothing). */
const AWAY_AFTER_MS = 1000;
const POLL_MS = 250;

export interface PeerWatchOptions {
  peers: TorrentPeers;
  isDone(): boolean;
  /** Peers may still be found (discovery runs): no address left is no reason to give up. */
  isDiscovering: boolean;
  /** No peer for a moment: `lastError` is the last failed dial, none while discovery looks. */
  onWaiting(lastError: DialFailure | undefined, wasConnected: boolean): void;
  /** No link, no dial left and nothing to discover: get fails. */
  onStuck(): void;
}

/** Starts the watch; returns the timer to clear when the get ends. */
export function watchPeers({ peers, isDone, isDiscovering, onWaiting, onStuck }: PeerWatchOptions): NodeJS.Timeout {
  let stuckSince = 0;
  let awaySince = 0;
  let hasSaidWaiting = false;
  let wasConnected = false;
  peers.on('peer-connected', () => (wasConnected = true));
  return setInterval(() => {
    if (peers.connectedCount > 0 || isDone()) {
      stuckSince = awaySince = 0;
      hasSaidWaiting = false;
      return;
    }
    awaySince ||= Date.now();
    const isAwayLong = Date.now() - awaySince >= AWAY_AFTER_MS;
    if (peers.hasPendingDials) {
      stuckSince = 0;
      const lastError = peers.dialErrors().at(-1);
      if (!hasSaidWaiting && lastError && isAwayLong) {
        hasSaidWaiting = true;
        onWaiting(lastError, wasConnected);
      }
      return;
    }
    if (isDiscovering) {
      if (!hasSaidWaiting && isAwayLong) {
        hasSaidWaiting = true;
        onWaiting(undefined, wasConnected);
      }
      return;
    }
    stuckSince ||= Date.now();
    if (Date.now() - stuckSince >= STUCK_GRACE_MS) onStuck();
  }, POLL_MS);
}
