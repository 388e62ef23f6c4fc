/**
 * Turns an authenticated PeerLink into the connection object webtorrent accepts in
 * `torrent.addPeer(conn)`: a streamx Duplex (measured markedly faster than a node:stream
 * one inside webtorrent's streamx pipeline) carrying `id` (unique per torrent) and
 * `connected = true`, which is how webtorrent recognises an already-open, non-TCP peer.
 * No remoteAddress: webtorrent would otherwise parse it as an address it may dial.
 */
import type { Duplex } from 'streamx';
import type { PeerLink } from '../net/peer-link.js';

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
 * write, which they go out just before) and go out together, in order.
 */
/** Returns the flush: whoever closes the link under the stream sends what is held first. */
function coalesceSmallWrites(stream: Duplex): () => void {
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
      // Two writes in one turn reach the secure channel as one batch (streamx batches what
      // is queued), so they still share a frame: no copy of the large write is needed.
      flush();
      return write(data);
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
  return flush;
}

/**
 * net/'s link stream is already a streamx Duplex, so it goes to webtorrent as it is: a
 * wrapper would make every chunk cross two streamx buffers.
 */
export function createLinkDuplex(link: PeerLink): LinkDuplex {
  const duplex = link.stream as unknown as LinkDuplex;
  duplex.id = `${link.remoteKeyText}#${++nextLinkNumber}`;
  duplex.connected = true;
  const flushSmallWrites = coalesceSmallWrites(duplex);
  // A link closed in the same turn as a small write (a getter that is done closes its links
  // right after its last `have`) sends that write before its end frame: held, it went out
  // after the end and was dropped, and the sharer never saw the getter finish.
  const close = link.close.bind(link);
  link.close = () => {
    flushSmallWrites();
    close();
  };
  return duplex;
}
