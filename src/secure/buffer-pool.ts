/**
 * Reused buffers of one size, for bulk data whose life has a clear end: a served block ends
 * when the secure channel has sealed it into a frame, a received piece when it is on disk.
 *
 * Why: V8 starts a full mark-compact each time enough ArrayBuffer memory was allocated
 * since the last one, dead or alive, and a fresh buffer per 16 KiB block or per piece is
 * exactly that (last session's profiles: about a fifth of each process in GC). Pooled
 * buffers are allocated once and recycled, so bulk bytes no longer count as allocation.
 *
 * Only a buffer this pool lent, handed back once, goes back on the free list: a second
 * release, a view into a pooled buffer or a foreign buffer are ignored (they are simply
 * collected), so a mistaken release can lose a buffer but never hand one out twice.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly lent = new WeakSet<Buffer>();

  constructor(
    readonly bufferBytes: number,
    private readonly maxFreeBuffers: number,
  ) {}

  /** A buffer of `bufferBytes` with arbitrary old contents: the caller overwrites every byte. */
  take(): Buffer {
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
    this.lent.add(buffer);
    return buffer;
  }

  /** Hands `buffer` back if this pool lent it; nobody may use it afterwards. */
  release(buffer: Uint8Array): void {
    if (!this.lent.has(buffer as Buffer)) return;
    this.lent.delete(buffer as Buffer);
    if (this.free.length < this.maxFreeBuffers) this.free.push(buffer as Buffer);
  }

  get freeCount(): number {
    return this.free.length;
  }
}

/** BitTorrent's block size: what a sharer serves per request. */
export const BLOCK_BYTES = 16 * 1024;

/**
 * Blocks a sharer serves: taken by share/share-piece-cache.ts, handed back by the secure
 * channel once sealed (secure-channel.ts). 4 MiB free at most: a few wires' worth of
 * answers in flight.
 */
export const servedBlocks = new BufferPool(BLOCK_BYTES, 256);
