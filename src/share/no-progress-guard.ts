/**
 * Drops a peer whose data never verifies. bittorrent-protocol counts every `piece`
 * message as downloaded even when it answers no request of ours (a wrong length, a block
 * nobody asked for), and webtorrent then discards it: such a peer makes "received" rise
 * for ever while nothing is verified and no hash check fails, so the corrupt-piece guard
 * never sees it. Here every byte a peer sends counts against it until a piece it sent a
 * block of verifies; past the limit it is convicted.
 *
 * The limit is far above what an honest peer sends before one of its pieces completes: its
 * requests in flight (wire-request-limit.ts allows MAX_QUEUED_REQUEST_BYTES) plus a few whole pieces it may
 * share with slower peers, and never under MIN_UNVERIFIED_BYTES.
 */
import type { Torrent, Wire } from 'webtorrent';
import { FAILED_PIECE_WARNING } from './webtorrent-internals.js';
import { MAX_QUEUED_REQUEST_BYTES } from './wire-request-limit.js';

export const MIN_UNVERIFIED_BYTES = 32 * 1024 * 1024;
const PIECES_OF_SLACK = 4;

export function maxUnverifiedBytes(pieceLength: number): number {
  return Math.max(MIN_UNVERIFIED_BYTES, PIECES_OF_SLACK * pieceLength + MAX_QUEUED_REQUEST_BYTES + 4 * 1024 * 1024);
}

export class NoProgressGuard {
  private readonly unverifiedBytes = new Map<string, number>();
  /** Who sent blocks of each piece being assembled (cleared when it verifies or fails). */
  private readonly senders = new Map<number, Set<string>>();

  constructor(private readonly torrent: Torrent, private readonly onStalledPeer: (peerKey: string, unverifiedBytes: number) => void) {
    torrent.on('verified', (index: number) => {
      for (const peer of this.senders.get(index) ?? []) this.unverifiedBytes.set(peer, 0);
      this.senders.delete(index);
    });
    // A failed piece starts over: its senders get no credit when it later verifies.
    torrent.on('warning', (error: Error) => {
      const match = FAILED_PIECE_WARNING.exec(error?.message ?? '');
      if (match) this.senders.delete(Number(match[1]));
    });
  }

  watch(wire: Wire, peerKey: string): void {
    wire.on('piece', (index: number) => {
      // Only pieces still being assembled; the map is bounded by the torrent's piece count.
      if (!Number.isInteger(index) || !this.torrent.pieces[index] || this.torrent.bitfield.get(index)) return;
      let senders = this.senders.get(index);
      if (!senders) this.senders.set(index, (senders = new Set()));
      senders.add(peerKey);
    });
    wire.on('download', (bytes: number) => {
      const total = (this.unverifiedBytes.get(peerKey) ?? 0) + bytes;
      this.unverifiedBytes.set(peerKey, total);
      if (total > maxUnverifiedBytes(this.torrent.pieceLength)) {
        this.unverifiedBytes.set(peerKey, 0);
        this.onStalledPeer(peerKey, total);
      }
    });
  }
}
