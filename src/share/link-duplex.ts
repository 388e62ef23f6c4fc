/**
 * Turns an authenticated PeerLink into the connection object webtorrent accepts in
 * `torrent.addPeer(conn)`: a streamx Duplex (measured markedly faster than a node:stream
 * one inside webtorrent's streamx pipeline) carrying `id` (unique per torrent) and
 * `connected = true`, which is how webtorrent recognises an already-open, non-TCP peer.
 * No remoteAddress: webtorrent would otherwise parse it as an address it may dial.
 * Only write / on('data') / end / destroy / on('close'|'error') are used on the link
 * (docs/ARCHITECTURE.md), plus pause/resume when the stream has them, for backpressure.
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

/** Writes under this size wait (until the next I/O turn) to share a frame with others. */
const SMALL_WRITE_BYTES = 1024;

/**
 * Every write to the secure stream becomes at least one encrypted frame (a cipher set-up,
 * a tag, a syscall). The BitTorrent wire writes many tiny messages (a 17-byte request per
 * 16 KiB block, `have`s) and sends every block as a 13-byte header write plus a 16 KiB data
 * write. Small writes are held until the next turn of the event loop (or until a large
 * write, which they are prepended to) and go out together, in order.
 */
function coalesceSmallWrites(stream: Duplex): void {
  const write = stream.write.bind(stream);
  const end = stream.end.bind(stream);
  let pending: Uint8Array[] = [];
  let isScheduled = false;
  const takePending = (): Uint8Array[] => {
    const taken = pending;
    pending = [];
    return taken;
  };
  const flush = () => {
    isScheduled = false;
    if (pending.length === 0 || stream.destroyed) return;
    const taken = takePending();
    write(taken.length === 1 ? taken[0]! : Buffer.concat(taken));
  };
  stream.write = (data: Uint8Array) => {
    if (data.length >= SMALL_WRITE_BYTES) {
      if (pending.length === 0) return write(data);
      return write(Buffer.concat([...takePending(), data]));
    }
    pending.push(data);
    if (!isScheduled) {
      isScheduled = true;
      setImmediate(flush);
    }
    return true;
  };
  stream.end = (data?: Uint8Array) => {
    flush();
    return data === undefined ? end() : end(data);
  };
}

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
    coalesceSmallWrites(direct);
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
