/**
 * Drops trusted peers that send data failing the SHA-1 piece check. webtorrent only
 * discards a failed piece and requests it again (possibly from the same peer, forever).
 *
 * A piece is often assembled from several peers' blocks, so a failure alone does not
 * say who lied. We keep the blocks of each piece in flight (references, no copies):
 * - a failed piece with a single contributor convicts that peer at once;
 * - otherwise its blocks become suspects, and when the piece later verifies, every
 *   suspect block is compared with the verified block at the same offset: whoever sent
 *   a block that differs is convicted, honest contributors are not (libtorrent's
 *   "smart ban" idea).
 */
import { sha1 } from '../crypto/hash.js';
import type { Torrent, Wire } from 'webtorrent';
import { FAILED_PIECE_WARNING } from './webtorrent-internals.js';

interface Block {
  peer: string;
  offset: number;
  data: Uint8Array;
}

interface SuspectBlock {
  peer: string;
  offset: number;
  digest: string;
}

// webtorrent requests 16 KiB blocks; end game may fetch one block from several peers.
const MAX_BLOCK_BYTES = 16 * 1024;
const MAX_BLOCKS_PER_PIECE = 1024;

const digestOf = (data: Uint8Array) => sha1(data).toString('hex');

export class CorruptPieceGuard {
  private readonly inFlight = new Map<number, Block[]>();
  private readonly suspects = new Map<number, SuspectBlock[]>();

  constructor(private readonly torrent: Torrent, private readonly onCorruptPeer: (peerKey: string, pieceIndex: number) => void) {
    torrent.on('verified', (index: number) => this.pieceVerified(index));
    torrent.on('warning', (error: Error) => {
      const match = FAILED_PIECE_WARNING.exec(error?.message ?? '');
      if (match) this.pieceFailed(Number(match[1]));
    });
  }

  watch(wire: Wire, peerKey: string): void {
    wire.on('piece', (index: number, offset: number, data: Uint8Array) => {
      // Only blocks of a piece we are still assembling can decide a verification; keeping
      // others (unrequested, or for pieces already verified, as every block is on a seeder)
      // would let a trusted peer grow our memory without bound.
      if (!this.isAssembling(index) || data.length > MAX_BLOCK_BYTES) return;
      let blocks = this.inFlight.get(index);
      if (!blocks) this.inFlight.set(index, (blocks = []));
      if (blocks.length >= MAX_BLOCKS_PER_PIECE) return;
      blocks.push({ peer: peerKey, offset, data });
    });
  }

  /** Blocks held for pending verifications (bounded by the pieces being assembled). */
  get retainedBlockCount(): number {
    let count = 0;
    for (const blocks of this.inFlight.values()) count += blocks.length;
    return count;
  }

  private isAssembling(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.torrent.pieces.length && !!this.torrent.pieces[index] && !this.torrent.bitfield.get(index);
  }

  private pieceFailed(index: number): void {
    const blocks = this.inFlight.get(index) ?? [];
    this.inFlight.delete(index);
    const peers = new Set(blocks.map((block) => block.peer));
    if (peers.size === 1) {
      this.onCorruptPeer([...peers][0]!, index);
      return;
    }
    const suspects = this.suspects.get(index) ?? [];
    for (const block of blocks) suspects.push({ peer: block.peer, offset: block.offset, digest: digestOf(block.data) });
    this.suspects.set(index, suspects);
  }

  private pieceVerified(index: number): void {
    const blocks = this.inFlight.get(index) ?? [];
    this.inFlight.delete(index);
    const suspects = this.suspects.get(index);
    if (!suspects) return;
    this.suspects.delete(index);
    const verified = new Map<number, string>();
    const ambiguous = new Set<number>();
    for (const block of blocks) {
      const digest = digestOf(block.data);
      const known = verified.get(block.offset);
      if (known !== undefined && known !== digest) ambiguous.add(block.offset);
      verified.set(block.offset, digest);
    }
    const convicted = new Set<string>();
    for (const suspect of suspects) {
      const good = verified.get(suspect.offset);
      if (good !== undefined && !ambiguous.has(suspect.offset) && good !== suspect.digest) convicted.add(suspect.peer);
    }
    for (const peer of convicted) this.onCorruptPeer(peer, index);
  }
}
