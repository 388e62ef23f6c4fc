/**
 * Disk backpressure for downloads. webtorrent requests blocks as fast as peers deliver
 * them and queues every verified piece for writing without limit; when the network (or a
 * fast local peer) outpaces the disk, the write queue grows in memory: a 1 GiB get on
 * loopback peaked at 474 MiB RSS, ~250 MiB of it pieces waiting for the disk.
 *
 * Here, while more than HIGH_WATER_BYTES of verified pieces wait to be written, no new
 * block is requested; below LOW_WATER_BYTES requesting resumes. Peers keep their
 * connections; only our request pipeline pauses.
 */
import type { Torrent } from 'webtorrent';
import { replaceRequest, replanRequests, replaceStorePut } from './webtorrent-internals.js';

const HIGH_WATER_BYTES = 32 * 1024 * 1024;
const LOW_WATER_BYTES = 16 * 1024 * 1024;

export function useWriteBackpressure(torrent: Torrent): { pendingBytes(): number } {
  let pendingBytes = 0;
  let isPaused = false;
  const install = () => {
    const store = torrent.store;
    if (!store) return;
    replaceStorePut(store, (put) => (index, buf, cb) => {
      pendingBytes += buf.length;
      if (pendingBytes > HIGH_WATER_BYTES) isPaused = true;
      put(index, buf, (err) => {
        pendingBytes -= buf.length;
        cb?.(err);
        if (isPaused && pendingBytes <= LOW_WATER_BYTES && !torrent.destroyed) {
          isPaused = false;
          replanRequests(torrent);
        }
      });
    });
    replaceRequest(torrent, (request) => (wire, index, hotswap) => (isPaused ? false : request(wire, index, hotswap)));
  };
  if (torrent.store) install();
  else torrent.once('metadata', install);
  return { pendingBytes: () => pendingBytes };
}
