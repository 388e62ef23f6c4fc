/**
 * A `have` or a BEP 6 `suggest` names a piece by a 32-bit index, and bittorrent-protocol
 * passes any index on. Its listeners index arrays with it: webtorrent's rarity map did
 * `pieces[index] += 1`, so one `have` for piece 1,604,270,977 from a trusted peer (a stolen
 * key, a buggy build) made that array 1.6 billion long, and the next peer's arrival filled it:
 * the sharer ran out of memory (found by test/share/wire-messages.fuzz.test.ts). The
 * super-seeder's counts would have grown the same way, and its loops with them.
 *
 * So a wire whose torrent has its metadata drops a peer that names a piece the torrent does
 * not have: such a peer is broken or hostile, and BEP 3 has no other answer. Before the
 * metadata no index can be checked; then only bittorrent-protocol's own bitfield keeps it, and
 * that bitfield is capped.
 */
import type { Wire } from 'webtorrent';
import { replacePieceIndexHandlers } from './webtorrent-internals.js';

const pieceCounts = new WeakMap<object, () => number>();

/** Call from the torrent's 'wire' event: how many pieces the wire's torrent has (0 while it has no metadata). */
export function limitPieceIndices(wire: Wire, pieceCount: () => number): void {
  pieceCounts.set(wire, pieceCount);
}

/** True when `index` names one of `count` pieces. */
export const isPieceIndex = (index: number, count: number): boolean => Number.isInteger(index) && index >= 0 && index < count;

/** True when `index` cannot be a piece of the wire's torrent (never before the metadata). */
export function isBeyondTorrent(wire: object, index: number): boolean {
  const count = pieceCounts.get(wire)?.() ?? 0;
  return count > 0 && !isPieceIndex(index, count);
}

let isInstalled = false;

/** Patches the Wire class webtorrent uses (once per process). */
export async function limitWirePieceIndices(): Promise<void> {
  if (isInstalled) return;
  const { default: WireClass } = await import('bittorrent-protocol');
  replacePieceIndexHandlers(WireClass.prototype, (handle) =>
    function (this: { destroy(): void }, index: number) {
      if (isBeyondTorrent(this, index)) return this.destroy();
      return handle.call(this, index);
    });
  isInstalled = true;
}
