/**
 * The same metadata handed to a get twice before webtorrent has parsed the first copy (as
 * ut_metadata does when the sharer's unasked copy and the answer to the getter's request
 * both complete before its asynchronous hash check ends): the get builds one store, so once
 * it is done and closed no file descriptor of its output is left open. Before the fix the
 * second copy passed the guard (webtorrent's own check waits on its parse), a second store
 * opened the `.part` file again, and that descriptor was never closed (only a garbage
 * collection closed it, with a warning on stderr).
 * In-process share and get over real SwarmNodes, through bench/delay-relay.mjs (a 100 ms
 * round trip leaves time to catch the torrent before its metadata arrives).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import type { Torrent } from 'webtorrent';
import { describe, expect, it } from 'vitest';
import { relayedGet } from './relayed-get-fixture.js';

/** Paths of this process's open file descriptors that lie under `dir`. */
function openPathsUnder(dir: string): string[] {
  const paths: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const path = readlinkSync(`/proc/self/fd/${fd}`);
      if (path.startsWith(dir)) paths.push(path);
    } catch {
      // closed while listing (the listing's own descriptor)
    }
  }
  return paths;
}

describe('metadata delivered twice', () => {
  it('builds one store: nothing of the output stays open after the get is closed', async () => {
    const { getter, outDir, isIntact } = await relayedGet({ fileBytes: 1024 * 1024, oneWayDelayMs: 50, isSuperSeeding: false });
    let copies = 0;
    // Counted where webtorrent hands each new store to the session.
    let stores = 0;
    const storeOptions = (getter as unknown as { storeOptions: { onCreate: (store: unknown) => void } }).storeOptions;
    const onCreate = storeOptions.onCreate;
    storeOptions.onCreate = (store) => {
      stores++;
      onCreate(store);
    };
    // The session keeps its torrent private: catch it as soon as it exists (before the metadata).
    const poll = setInterval(() => {
      const torrent = (getter as unknown as { torrent?: Torrent }).torrent;
      if (!torrent) return;
      clearInterval(poll);
      const guarded = torrent._onMetadata.bind(torrent);
      torrent._onMetadata = (metadata: unknown) => {
        copies += 2;
        void guarded(metadata);
        return guarded(metadata);
      };
    }, 1);
    try {
      await getter.run();
    } finally {
      clearInterval(poll);
    }
    expect(copies).toBeGreaterThanOrEqual(2);
    expect(stores).toBe(1);
    expect(isIntact()).toBe(true);
    await getter.close();
    expect(openPathsUnder(outDir)).toEqual([]);
  });
});
