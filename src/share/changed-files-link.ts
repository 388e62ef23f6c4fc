/**
 * One wire's part in "a shared file changed": as a sharer (with a SharedFileWatch), refuse
 * requests for pieces of changed files (BEP 6 reject through wire-request-limit.ts) and
 * tell the peer which files changed (swarm_changed), now and whenever another one does;
 * as a getter, hand what the peer says changed to `onPeerChanged`.
 */
import type { Torrent, TorrentFile, Wire } from 'webtorrent';
import type { SharedFileWatch } from './shared-file-watch.js';
import { createSwarmChangedExtension } from './swarm-changed.js';

export interface ChangedFilesLinkOptions {
  /** Only on a sharer: the files it serves. */
  watch?: SharedFileWatch;
  onPeerChanged(paths: string[]): void;
}

/** Call from the torrent's 'wire' handler, before webtorrent adds its own 'request' handler. */
export function useChangedFilesLink(wire: Wire, options: ChangedFilesLinkOptions): void {
  const { watch } = options;
  if (watch) {
    wire.on('request', (index: number, _offset: number, _length: number, respond: (error: Error) => void) => {
      if (!watch.isServable(index)) respond(new Error(`piece ${index} is of a file that changed since it was shared`));
    });
  }
  wire.use(
    createSwarmChangedExtension({
      onReady: (send) => {
        if (!watch) return;
        const sendChanges = () => send(watch.changes().map((change) => change.path));
        if (watch.changes().length > 0) sendChanges();
        watch.on('file-changed', sendChanges);
        wire.once('close', () => watch.off('file-changed', sendChanges));
      },
      onMessage: (paths) => options.onPeerChanged(paths),
    }),
  );
}

/** The first of `paths` that names a file of ours with a piece not yet verified. */
export function firstNeededFile(torrent: Torrent, paths: string[]): TorrentFile | undefined {
  return torrent.files.find((file) => {
    if (!paths.includes(file.path) || file.length === 0) return false;
    const last = Math.floor((file.offset + file.length - 1) / torrent.pieceLength);
    for (let index = Math.floor(file.offset / torrent.pieceLength); index <= last; index++) if (!torrent.bitfield.get(index)) return true;
    return false;
  });
}
