/**
 * How often webtorrent re-plans requests. It calls `_update()` (which runs `_updateWire`
 * on every wire, each a scan over the pieces) after every received block and on every
 * `have`/`bitfield`/`unchoke` message. In a swarm of 8 getters that is tens of thousands
 * of full re-plans per getter: profiled, piece selection was the largest CPU item.
 *
 * - Coalesce: all the update requests made while one batch of socket data is processed
 *   become one `_update()`, run with setImmediate (before the next I/O poll).
 * - Skip wires we are not interested in: their peer has none of the pieces we miss, so
 *   no request is possible (webtorrent keeps `amInterested` current on every have).
 * - Fill a new wire's pipeline at once: webtorrent asks a wire that has delivered nothing
 *   for a single block first, a round trip lost on every link (80 ms of 1 s at 80 ms).
 */
import type { Torrent } from 'webtorrent';
import { replaceUpdate, replaceUpdateWire, updateWireWithoutProbe } from './webtorrent-internals.js';

export function useRequestScheduler(torrent: Torrent): void {
  let isScheduled = false;
  replaceUpdate(torrent, (update) => () => {
    if (isScheduled) return;
    isScheduled = true;
    setImmediate(() => {
      isScheduled = false;
      if (!torrent.destroyed) update();
    });
  });
  replaceUpdateWire(torrent, (updateWire) => (wire) => (wire.amInterested ? updateWireWithoutProbe(wire, updateWire) : false));
}
