/**
 * Turns an authenticated PeerLink into the connection object webtorrent accepts in
 * `torrent.addPeer(conn)`: a streamx Duplex (measured markedly faster than a node:stream
 * one inside webtorrent's streamx pipeline) carrying `id` (unique per torrent) and
 * `connected = true`, which is how webtorrent recognises an already-open, non-TCP peer.
 * No remoteAddress: webtorrent would otherwise parse it as an address it may dial.
 * Only write / on('data') / end / destroy / on('close'|'error') are used on the link
 * (docs/CONTRACT.md), plus pause/resume when the stream has them, for backpressure.
 */
import { Duplex } from 'streamx';
import type { TorrentPeerLink } from './torrent-node.js';

/** Big enough for several 16 KiB blocks in flight; webtorrent's default of 16 KiB stalls the pipe. */
const HIGH_WATER_MARK_BYTES = 1024 * 1024;

export interface LinkDuplex extends Duplex {
  id: string;
  connected: boolean;
}

let nextLinkNumber = 0;

/** A streamx stream (net/'s secure channel stream is one) can go to webtorrent as it is. */
function isStreamx(stream: unknown): stream is Duplex {
  return typeof (stream as { _duplexState?: unknown })._duplexState === 'number';
}

export function createLinkDuplex(link: TorrentPeerLink): LinkDuplex {
  const id = `${link.remoteKeyText}#${++nextLinkNumber}`;
  if (isStreamx(link.stream)) {
    // No extra hop: every chunk would otherwise cross two streamx buffers.
    const direct = link.stream as LinkDuplex;
    direct.id = id;
    direct.connected = true;
    return direct;
  }
  const source = link.stream;
  let isPaused = false;
  // A write waiting for 'drain' must still complete if the link dies, or streamx would
  // wait for it forever before finishing destroy() (and webtorrent would never see 'close').
  let pendingWrite: ((err?: Error | null) => void) | undefined;
  const releaseWrite = () => {
    const cb = pendingWrite;
    pendingWrite = undefined;
    cb?.(null);
  };
  const duplex = new Duplex({
    highWaterMark: HIGH_WATER_MARK_BYTES,
    read(cb) {
      if (isPaused) {
        isPaused = false;
        source.resume?.();
      }
      cb(null);
    },
    write(data, cb) {
      if (source.write(data)) return cb(null);
      pendingWrite = cb;
      source.once('drain', releaseWrite);
    },
    final(cb) {
      source.end();
      cb(null);
    },
    predestroy() {
      releaseWrite();
    },
    destroy(cb) {
      link.close();
      cb(null);
    },
  }) as LinkDuplex;
  source.on('data', (chunk: Uint8Array) => {
    if (!duplex.push(chunk) && source.pause) {
      isPaused = true;
      source.pause();
    }
  });
  source.on('end', () => duplex.push(null));
  source.on('close', () => {
    releaseWrite();
    duplex.destroy();
  });
  source.on('error', (err: Error) => {
    releaseWrite();
    duplex.destroy(err);
  });
  source.resume?.(); // a stream paused by whoever read its channel line would never flow
  duplex.id = id;
  duplex.connected = true;
  return duplex;
}
