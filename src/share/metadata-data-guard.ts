/**
 * BEP 9 messages that ut_metadata cannot take. It threw on them, out of the wire's parser,
 * and the whole process exited with a stack trace:
 * - a `data` piece before the metadata's size is known: ut_metadata writes pieces into a
 *   buffer it makes only once the peer's extended handshake gave the size (a peer that
 *   announced no size and sends anyway: a hostile trusted peer, or an older swarm whose fast
 *   start raced its own metadata);
 * - a `data` piece whose index puts it outside that buffer (a negative or huge `piece`);
 * - a message whose bencoded dictionary decodes to nothing.
 * The first two are dropped: the metadata still comes, from this peer or another, and its
 * SHA-1 is checked as before. Anything else that throws ends the link, not the process
 * (test/share/wire-messages.fuzz.test.ts found all three).
 */
import type { Wire } from 'webtorrent';
import { METADATA_PIECE_BYTES } from './link-fast-start.js';
import { replaceMetadataHandlers } from './webtorrent-internals.js';

/** True when a `data` piece lands wholly inside a buffer of `roomBytes` (0: no buffer yet). */
export function fitsMetadata(piece: number, dataBytes: number, roomBytes: number): boolean {
  return Number.isSafeInteger(piece) && piece >= 0 && piece * METADATA_PIECE_BYTES + dataBytes <= roomBytes;
}

/** Call from the torrent's 'wire' event (webtorrent adds ut_metadata before it). */
export function guardMetadataData(wire: Wire): void {
  replaceMetadataHandlers(wire, {
    onMessage: (onMessage) => (message) => {
      try {
        onMessage(message);
      } catch {
        wire.destroy();
      }
    },
    onData: (onData, roomBytes) => (piece, data, totalSize) => {
      if (fitsMetadata(piece, data.length, roomBytes())) onData(piece, data, totalSize);
    },
  });
}
