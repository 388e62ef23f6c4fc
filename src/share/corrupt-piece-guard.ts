/**
 * Drops trusted peers that send data failing the SHA-1 piece check. webtorrent only
 * discards the piece and re-requests it (possibly from the same peer, forever), so we
 * remember which peers contributed blocks to each piece in flight: a failed piece with
 * a single contributor convicts that peer at once; a shared failure gives each
 * contributor a strike, and STRIKES_TO_DROP strikes convict.
 */
import type { Torrent, Wire } from 'webtorrent';

const STRIKES_TO_DROP = 3;
const FAILED_PIECE = /^Piece (\d+) failed verification/;

export class CorruptPieceGuard {
  private readonly contributors = new Map<number, Set<string>>();
  private readonly strikes = new Map<string, number>();

  constructor(torrent: Torrent, private readonly onCorruptPeer: (peerKey: string, pieceIndex: number) => void) {
    torrent.on('verified', (index: number) => this.contributors.delete(index));
    torrent.on('warning', (error: Error) => {
      const match = FAILED_PIECE.exec(error?.message ?? '');
      if (match) this.pieceFailed(Number(match[1]));
    });
  }

  watch(wire: Wire, peerKey: string): void {
    wire.on('piece', (index: number) => {
      let set = this.contributors.get(index);
      if (!set) this.contributors.set(index, (set = new Set()));
      set.add(peerKey);
    });
  }

  private pieceFailed(index: number): void {
    const peers = [...(this.contributors.get(index) ?? [])];
    this.contributors.delete(index);
    for (const peer of peers) {
      const strikes = (this.strikes.get(peer) ?? 0) + (peers.length === 1 ? STRIKES_TO_DROP : 1);
      this.strikes.set(peer, strikes);
      if (strikes >= STRIKES_TO_DROP) this.onCorruptPeer(peer, index);
    }
  }
}
