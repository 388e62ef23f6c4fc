/**
 * Refuses replayed handshake message 1s by their timestamp (docs/protocol.md section 1,
 * check 6). Per initiator key: the timestamps accepted in the last WINDOW_NS before the
 * newest accepted one, at most MAX_PER_KEY. A timestamp at or below the floor, or equal to
 * one in the window, is a replay. A window rather than WireGuard's "greater than the last"
 * because one node opens several links to a peer at once (chat, each torrent) and their
 * message 1s may be processed out of order. Bounded: MAX_KEYS keys, least recently used
 * dropped.
 */
export const WINDOW_NS = 16_000_000_000n;
export const MAX_PER_KEY = 64;
export const MAX_KEYS = 4096;

interface Entry {
  floor: bigint;
  newest: bigint;
  seen: bigint[];
}

export class ReplayWindow {
  private readonly byKey = new Map<string, Entry>();

  constructor(private readonly maxKeys: number = MAX_KEYS) {}

  /** True if `timestampNs` is fresh for `key` (and records it); false for a replay. */
  accept(key: Uint8Array, timestampNs: bigint): boolean {
    const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64');
    const entry = this.byKey.get(id) ?? { floor: -1n, newest: -1n, seen: [] };
    if (timestampNs <= entry.floor || entry.seen.includes(timestampNs)) return false;
    entry.seen.push(timestampNs);
    if (timestampNs > entry.newest) entry.newest = timestampNs;
    // Every timestamp kept is above the floor, so only a raised floor can drop some.
    if (entry.newest - WINDOW_NS > entry.floor) {
      entry.floor = entry.newest - WINDOW_NS;
      entry.seen = entry.seen.filter((seen) => seen > entry.floor);
    }
    if (entry.seen.length > MAX_PER_KEY) {
      entry.seen.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      entry.floor = entry.seen.shift()!;
    }
    this.byKey.delete(id);
    this.byKey.set(id, entry);
    if (this.byKey.size > this.maxKeys) this.byKey.delete(this.byKey.keys().next().value!);
    return true;
  }
}
