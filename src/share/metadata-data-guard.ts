/**
 * A BEP 9 `data` message that arrives before the metadata's size is known is dropped.
 * ut_metadata writes each piece into a buffer it makes only once the peer's extended
 * handshake has given the size; a `data` message before that (a peer that announced no size
 * and sends anyway: a hostile trusted peer, or an older swarm whose fast start raced its own
 * metadata) made the write throw out of the wire's parser, and the whole process exited with
 * a stack trace. Dropped, the metadata still comes from any peer that announced its size.
 */
import type { Wire } from 'webtorrent';
import { replaceMetadataOnData } from './webtorrent-internals.js';

/** Call from the torrent's 'wire' event (webtorrent adds ut_metadata before it). */
export function guardMetadataData(wire: Wire): void {
  replaceMetadataOnData(wire, (onData, hasRoom) => (piece, data, totalSize) => {
    if (hasRoom()) onData(piece, data, totalSize);
  });
}
