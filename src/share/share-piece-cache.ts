/**
 * The sharer's read cache: a fixed ring of piece-sized buffers, allocated once and reused,
 * in place of webtorrent's cache-chunk-store (storeCacheSlots: 0).
 *
 * A getter asks for a piece block by block (16 KiB), so each piece is read from disk once,
 * whole, and its blocks are copied out of the cache. cache-chunk-store kept a fresh buffer
 * per piece in an LRU of 20: every served byte was first allocated in a buffer that lived
 * through a few young-generation collections, was promoted, and then had to be found dead
 * by a full mark-compact (46 of them per 256 MiB served, about a fifth of the sender's CPU).
 * Here the slots are old once and stay; the block copies handed out die young.
 *
 * Each block is handed out as its own buffer (never a view into a slot): the slot is
 * overwritten by a later piece, and a block that waits in a slow peer's queue must not pin
 * or see it (issue 9's memory bound). A slot is never reused while its read is pending.
 * Full blocks come from a pool (secure/buffer-pool.ts) that the secure channel refills as
 * it seals them, so serving allocates nothing per block either.
 */
import { servedBlocks } from '../secure/buffer-pool.js';

export type ReadPiece = (index: number, into: Buffer, done: (error: Error | null) => void) => void;

interface Slot {
  index: number;
  bytes: number;
  buffer: Buffer;
  usedAt: number;
  /** Waiting for the piece's read; undefined once the slot holds the piece. */
  waiters?: ((error: Error | null) => void)[];
}

/** Enough for a piece in flight to each of a dozen getters at once, and a few reads ahead. */
export const SHARE_CACHE_SLOTS = 16;
/** The largest piece cached: 16 slots of it stay within 64 MiB. */
export const MAX_CACHED_PIECE_BYTES = 4 * 1024 * 1024;

/**
 * Slots for pieces of `pieceBytes`; none for larger pieces (shares over ~4 GiB). With fewer
 * slots than getters working on different pieces, each eviction would re-read a whole piece
 * to serve a few blocks (8x-256x more disk reads and copies than bytes served), so blocks of
 * large pieces are read straight from disk instead, one read each.
 */
export function shareCacheSlots(pieceBytes: number): number {
  return pieceBytes <= MAX_CACHED_PIECE_BYTES ? SHARE_CACHE_SLOTS : 0;
}

export class SharePieceCache {
  private readonly slots: Slot[] = [];
  private clock = 0;

  constructor(
    private readonly pieceBytes: number,
    private readonly readPiece: ReadPiece,
    private readonly maxSlots: number = shareCacheSlots(pieceBytes),
  ) {}

  /**
   * Bytes [from, to) of piece `index` (`pieceBytes` long) as a new buffer. Returns false,
   * calling nothing, when every slot is busy with a read: the caller reads the range itself.
   */
  copyRange(index: number, pieceBytes: number, from: number, to: number, callback: (error: Error | null, block?: Buffer) => void): boolean {
    let slot = this.slots.find((candidate) => candidate.index === index && candidate.bytes === pieceBytes);
    if (!slot) {
      const fresh = this.claimSlot();
      if (!fresh) return false;
      slot = fresh;
      this.load(slot, index, pieceBytes);
    }
    slot.usedAt = ++this.clock;
    const copyOut = (error: Error | null) => {
      if (error) return callback(error);
      // Every byte is copied over below; a full block is lent by the pool and comes back once sealed.
      const block = to - from === servedBlocks.bufferBytes ? servedBlocks.take() : Buffer.allocUnsafe(to - from);
      slot.buffer.copy(block, 0, from, to);
      callback(null, block);
    };
    if (slot.waiters) slot.waiters.push(copyOut);
    else copyOut(null);
    return true;
  }

  /** Forgets every cached piece (the store closed); buffers are kept for nobody. */
  clear(): void {
    this.slots.length = 0;
  }

  private claimSlot(): Slot | undefined {
    if (this.slots.length < this.maxSlots) {
      const slot: Slot = { index: -1, bytes: 0, buffer: Buffer.allocUnsafeSlow(this.pieceBytes), usedAt: 0 };
      this.slots.push(slot);
      return slot;
    }
    let oldest: Slot | undefined;
    for (const slot of this.slots) if (!slot.waiters && (!oldest || slot.usedAt < oldest.usedAt)) oldest = slot;
    return oldest;
  }

  private load(slot: Slot, index: number, pieceBytes: number): void {
    const waiters: ((error: Error | null) => void)[] = [];
    Object.assign(slot, { index, bytes: pieceBytes, waiters });
    this.readPiece(index, slot.buffer.subarray(0, pieceBytes), (error) => {
      slot.waiters = undefined;
      // A failed read is not cached: the next request reads again (and fails the same way).
      if (error) slot.index = -1;
      for (const waiter of waiters) waiter(error);
    });
  }
}
