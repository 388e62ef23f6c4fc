/**
 * A webtorrent client that can never open or accept a plain connection. webtorrent is
 * only the swarm engine here (piece picking, SHA-1 verification, ut_metadata, choking);
 * every peer it sees is a duplex that secure/ authenticated, handed in with addPeer().
 *
 * - no DHT, trackers, LSD, uTP, NAT-PMP/UPnP, web seeds (client options);
 * - its own TCP listener (opened unconditionally by its constructor) is closed as soon
 *   as it is listening, before any torrent exists;
 * - every address webtorrent would dial itself (x.pe, ut_pex, trackers, DHT, LSD, the
 *   uTP->TCP fallback) goes through the torrent's internal add-peer: lockTorrent() turns
 *   those into calls to the secure dialer and never lets webtorrent open the socket.
 * - what one peer can make us hold is bounded: message size (wire-message-limit.ts),
 *   queued and answered requests (wire-request-limit.ts), outgoing bytes (wire-outgoing-limit.ts).
 * webtorrent is imported lazily so commands that do not transfer files start fast.
 */
import type WebTorrent from 'webtorrent';
import type { Torrent } from 'webtorrent';
import { installStrictBencode } from './strict-bencode.js';
import { assemblePiecesInPlace, checkEngineInternals, replaceAddPeer, takeConnPool } from './webtorrent-internals.js';
import { limitWireMessages } from './wire-message-limit.js';
import { limitWirePieceIndices } from './wire-piece-index-limit.js';
import { limitWireOutgoing } from './wire-outgoing-limit.js';
import { limitWireRequests } from './wire-request-limit.js';

export type WebTorrentClient = WebTorrent;

export interface LockedClientOptions {
  uploadLimitBytesPerSecond?: number;
}

let engineLoading: Promise<typeof import('webtorrent')> | undefined;

/**
 * Loads webtorrent and installs the wire limits (most of a transfer's start-up CPU: a few
 * hundred modules). Callers start it early so it overlaps their own start (identity,
 * trust, listening); createLockedClient() then finds it loaded.
 */
export function preloadEngine(): Promise<typeof import('webtorrent')> {
  engineLoading ??= (async () => {
    const engine = await import('webtorrent');
    await limitWireMessages();
    await limitWirePieceIndices();
    installStrictBencode();
    await limitWireRequests();
    await limitWireOutgoing();
    await assemblePiecesInPlace();
    return engine;
  })();
  return engineLoading;
}

export async function createLockedClient(options: LockedClientOptions = {}): Promise<WebTorrentClient> {
  const { default: WebTorrentClass } = await preloadEngine();
  const client = new WebTorrentClass({
    dht: false,
    tracker: false,
    lsd: false,
    utp: false,
    utPex: false,
    natUpnp: false,
    natPmp: false,
    webSeeds: false,
    uploadLimit: options.uploadLimitBytesPerSecond ?? -1,
  });
  client.on('error', () => {}); // errors surface per torrent; a client error must not crash the CLI
  try {
    await checkEngineInternals(client);
  } catch (error) {
    await destroyClient(client);
    throw error;
  }
  await new Promise<void>((resolve) => {
    if (client.listening) resolve();
    else client.once('listening', () => resolve());
  });
  await closeBuiltInListener(client);
  return client;
}

/** Closes webtorrent's own plaintext TCP server; `listening` stays true so torrents start. */
async function closeBuiltInListener(client: WebTorrentClient): Promise<void> {
  const pool = takeConnPool(client);
  if (!pool) return;
  await new Promise<void>((resolve) => pool.destroy(() => resolve()));
}

/**
 * Routes every address webtorrent wants to dial to `dialSecurely` instead; only
 * connection objects (our authenticated duplexes) reach webtorrent's peer table.
 */
export function lockTorrent(torrent: Torrent, dialSecurely: (address: string) => void): void {
  replaceAddPeer(torrent, (addPeer) => (peer: unknown, type: string, source?: string) => {
    if (typeof peer === 'string') {
      dialSecurely(peer);
      return null;
    }
    return addPeer(peer, type, source);
  });
}

export function destroyClient(client: WebTorrentClient): Promise<void> {
  if (client.destroyed) return Promise.resolve();
  return new Promise((resolve) => client.destroy(() => resolve()));
}
