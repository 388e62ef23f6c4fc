/**
 * When a get starts looking for peers on the LAN and in the DHT (get-command.ts): not before
 * the addresses it was given have had their chance.
 */
import type { EventEmitter } from 'node:events';

/** What get-command.ts starts: discovery for one share. */
export interface Discovery {
  close(): Promise<void>;
  /** Complete, with --seed: announce the share now. */
  nudge(): void;
}

/** How long a get with addresses to dial waits to be downloading before it starts discovery anyway. */
const DISCOVERY_DEFER_MS = 1000;

/**
 * Discovery, started once the known addresses have had their chance: at once when there are
 * none; otherwise when the get is downloading (the engine, with the metadata and its store,
 * has asked for its first blocks), when a dial failed (the get is waiting), or after
 * DISCOVERY_DEFER_MS. Its start (UDP sockets, a key agreement per trusted key, the first
 * beacons and DHT queries) costs ~40 ms of CPU, which used to come before the first dial and
 * the engine's load: with 8 getters starting on 2 cores, it delayed everyone's first block.
 * Started on the metadata instead, it landed between the metadata and the first request.
 */
export function deferredDiscovery(session: EventEmitter, hasAddresses: boolean, start: () => Promise<Discovery>): Discovery {
  let started: Promise<Discovery> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const disarm = () => {
    clearTimeout(timer);
    session.off('downloading', startOnce);
    session.off('waiting', startOnce);
  };
  const startOnce = () => {
    disarm();
    if (started) return;
    started = start();
    // A failed start surfaces at close(), not as an unhandled rejection meanwhile.
    started.catch(() => {});
  };
  if (!hasAddresses) startOnce();
  else {
    session.once('downloading', startOnce);
    session.once('waiting', startOnce);
    timer = setTimeout(startOnce, DISCOVERY_DEFER_MS).unref();
  }
  return {
    close: async () => {
      disarm();
      await (await started)?.close();
    },
    /** Complete, with --seed: now, whether or not it had started (the DHT announces the share at once). */
    nudge: () => {
      startOnce();
      started!.then((discovery) => discovery.nudge(), () => {});
    },
  };
}
