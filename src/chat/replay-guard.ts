// Drops duplicates and replays: an (author, sequence) pair already seen, or a timestamp
// far outside the acceptance window. Memory is bounded: when more than maxEntries pairs
// are remembered the oldest are forgotten, and each author keeps a floor (the highest
// forgotten sequence) below which everything counts as seen, so a forgotten message
// still cannot be replayed. Authors are trusted keys only, so the per-author map is small.

export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_FUTURE_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_ENTRIES = 100_000;

export type ReplayVerdict = 'new' | 'seen' | 'too-old' | 'from-future';

interface AuthorState {
  seqs: Set<number>;
  floor: number; // every seq <= floor counts as seen
}

export interface ReplayGuardOptions {
  maxEntries?: number;
  maxAgeMs?: number;
  maxFutureMs?: number;
}

export class ReplayGuard {
  private readonly authors = new Map<string, AuthorState>();
  // Remembered pairs, oldest first, in a ring: which author, and the seq. Typed storage
  // keeps a long-running node's old generation small (fewer, shorter GC pauses).
  private readonly ringOwners: (AuthorState | undefined)[];
  private readonly ringSeqs: Float64Array;
  private ringHead = 0;
  private ringSize = 0;
  private readonly maxAgeMs: number;
  private readonly maxFutureMs: number;

  constructor(options: ReplayGuardOptions = {}) {
    const maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.ringOwners = new Array<AuthorState | undefined>(maxEntries);
    this.ringSeqs = new Float64Array(maxEntries);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.maxFutureMs = options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
  }

  /** Read-only check; call remember() once the message proved genuine. */
  check(authorId: string, seq: number, ts: number, nowMs = Date.now()): ReplayVerdict {
    if (this.hasSeen(authorId, seq)) return 'seen';
    if (ts < nowMs - this.maxAgeMs) return 'too-old';
    if (ts > nowMs + this.maxFutureMs) return 'from-future';
    return 'new';
  }

  hasSeen(authorId: string, seq: number): boolean {
    const state = this.authors.get(authorId);
    return state !== undefined && (seq <= state.floor || state.seqs.has(seq));
  }

  remember(authorId: string, seq: number): void {
    const state = this.stateOf(authorId);
    if (seq <= state.floor || state.seqs.has(seq)) return;
    if (this.ringSize === this.ringSeqs.length) this.forgetOldest();
    const slot = (this.ringHead + this.ringSize) % this.ringSeqs.length;
    this.ringOwners[slot] = state;
    this.ringSeqs[slot] = seq;
    this.ringSize++;
    state.seqs.add(seq);
  }

  /** Treats every seq <= `seq` of this author as seen (restored from history on start). */
  raiseFloor(authorId: string, seq: number): void {
    const state = this.stateOf(authorId);
    if (seq > state.floor) state.floor = seq;
  }

  /** Count of remembered pairs (for tests of the bound). */
  get size(): number {
    return this.ringSize;
  }

  private stateOf(authorId: string): AuthorState {
    let state = this.authors.get(authorId);
    if (!state) {
      state = { seqs: new Set(), floor: -1 };
      this.authors.set(authorId, state);
    }
    return state;
  }

  private forgetOldest(): void {
    const state = this.ringOwners[this.ringHead]!;
    const seq = this.ringSeqs[this.ringHead]!;
    this.ringOwners[this.ringHead] = undefined;
    this.ringHead = (this.ringHead + 1) % this.ringSeqs.length;
    this.ringSize--;
    state.seqs.delete(seq);
    // Entries below the new floor stay in the set until their own turn; harmless, and
    // it keeps eviction O(1).
    if (seq > state.floor) state.floor = seq;
  }
}
