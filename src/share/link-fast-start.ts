/**
 * Two round trips fewer between a link's opening and its first block (issue 10). With
 * webtorrent alone a getter waits, after the channel opens (R = one round trip):
 * the sharer's extended handshake (sent only once the getter's handshake has arrived: +1 R),
 * the metadata it then asks for (+1 R), the unchoke its `interested` asks for (+1 R), and
 * its first requested block (+1 R): the first block 4 R after the link opened, 800 ms at 200 ms.
 *
 * A node that has the metadata answers both questions before they are asked, right behind
 * its extended handshake, as soon as the peer's extended handshake shows what it lacks:
 * - the metadata, as BEP 9 `data` messages, if the peer's handshake has no `metadata_size`
 *   (it has no metadata: webtorrent fetches from every wire, so it takes unasked-for data);
 * - an `unchoke`: every peer here is trusted, and webtorrent unchokes whoever says
 *   `interested` anyway; the fair choker (every 5 s) still decides who keeps a slot.
 * The getter then requests as soon as it has read the metadata: the first block 2 R after
 * the link opened. A getter that asks for the metadata all the same (its requests crossed
 * ours) is answered again: a few KiB once per link, never a lost answer.
 *
 * The metadata is sent unasked only if our own extended handshake gave its size: the peer's
 * ut_metadata takes data only once it knows the size (a getter of ours drops it otherwise,
 * metadata-data-guard.ts; before that guard, it crashed). A getter's link that opened before
 * it had the metadata itself announced none, so it sends none on that link even once it has
 * the metadata (two getters meeting early, both still fetching).
 */
import type { Torrent, Wire } from 'webtorrent';

/** BEP 9 splits the info dictionary into 16 KiB pieces. */
export const METADATA_PIECE_BYTES = 16 * 1024;
const UT_METADATA_DATA = 1;

type ExtendedWire = Wire & {
  extended(ext: string, payload: Uint8Array): void;
  peerExtendedMapping: Record<string, number>;
  /** What our extended handshake says (bittorrent-protocol sends it right after the 'wire' event). */
  extendedHandshake: { metadata_size?: number };
};

/** The raw info dictionary (parse-torrent's `infoBuffer`, which webtorrent copies onto the torrent). */
function infoBytes(torrent: Torrent): Uint8Array | undefined {
  const info = (torrent as Torrent & { infoBuffer?: Uint8Array }).infoBuffer;
  return info instanceof Uint8Array && info.length > 0 ? info : undefined;
}

/** `d8:msg_typei1e5:piecei<n>e10:total_sizei<size>ee` followed by the piece's bytes (BEP 9). */
export function metadataDataMessage(info: Uint8Array, piece: number): Uint8Array {
  const start = piece * METADATA_PIECE_BYTES;
  const header = Buffer.from(`d8:msg_typei${UT_METADATA_DATA}e5:piecei${piece}e10:total_sizei${info.length}ee`);
  return Buffer.concat([header, info.subarray(start, Math.min(start + METADATA_PIECE_BYTES, info.length))]);
}

/** Call from the torrent's 'wire' event (before webtorrent's own handlers run). */
export function startLinkFast(torrent: Torrent, wire: Wire): void {
  const extendedWire = wire as ExtendedWire;
  const isOurSizeAnnounced = extendedWire.extendedHandshake.metadata_size !== undefined;
  const onExtended = (name: string, handshake: { metadata_size?: unknown }) => {
    if (name !== 'handshake') return;
    wire.removeListener('extended', onExtended);
    // After webtorrent's own first messages (its bitfield / have-all is queued as a microtask
    // when the wire is set up), so the protocol's order is kept.
    queueMicrotask(() => {
      if (wire.destroyed || torrent.destroyed || !torrent.ready) return;
      const info = infoBytes(torrent);
      if (info && isOurSizeAnnounced && handshake.metadata_size === undefined && extendedWire.peerExtendedMapping.ut_metadata) {
        for (let piece = 0; piece * METADATA_PIECE_BYTES < info.length; piece++) extendedWire.extended('ut_metadata', metadataDataMessage(info, piece));
      }
      wire.unchoke();
    });
  };
  wire.on('extended', onExtended);
}
