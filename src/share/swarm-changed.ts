/**
 * swarm_changed: a sharer tells its peers that some of its files changed on disk since it
 * shared them (shared-file-watch.ts), so it will not serve them again. Without it a
 * getter only sees its requests rejected (BEP 6) and retries forever. A BEP 10 extension
 * message inside the (already encrypted) BitTorrent wire.
 *
 * Wire (after the BEP 10 extended handshake advertises "swarm_changed"):
 * 1. The sender sends one message when the handshake completes if a file has changed by
 *    then, and one more each time another file is found changed.
 * 2. Message = UTF-8 JSON `{"v":1,"files":[<path>…]}`: every file found changed so far,
 *    each as its path inside the torrent ("name/dir/file", as in the metadata).
 * 3. A message over 16 KiB or not matching the shape is ignored; so are entries that are
 *    not strings, and entries past the first MAX_CHANGED_FILES.
 */
import type { Wire } from 'webtorrent';
import { decodeExtensionJson } from './extension-json.js';

export const SWARM_CHANGED_NAME = 'swarm_changed';
const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_CHANGED_FILES = 256;

export interface SwarmChangedHandlers {
  /** The remote supports swarm_changed; `send` may be called from now on. */
  onReady(send: (paths: string[]) => void): void;
  onMessage(paths: string[]): void;
}

export function decodeChangedMessage(bytes: Uint8Array): string[] | undefined {
  const parsed = decodeExtensionJson(bytes, MAX_MESSAGE_BYTES);
  if (!parsed || !Array.isArray(parsed.files)) return undefined;
  return parsed.files.slice(0, MAX_CHANGED_FILES).filter((path: unknown): path is string => typeof path === 'string');
}

/** Keeps the first paths that fit the message size limit. */
export function encodeChangedMessage(paths: string[]): Uint8Array {
  const files: string[] = [];
  let bytes = 32;
  for (const path of paths.slice(0, MAX_CHANGED_FILES)) {
    bytes += Buffer.byteLength(JSON.stringify(path)) + 1;
    if (bytes > MAX_MESSAGE_BYTES) break;
    files.push(path);
  }
  return Buffer.from(JSON.stringify({ v: 1, files }));
}

/** A bittorrent-protocol extension class bound to `handlers` (pass to wire.use). */
export function createSwarmChangedExtension(handlers: SwarmChangedHandlers): unknown {
  class SwarmChanged {
    constructor(readonly wire: Wire) {}
    onHandshake(): void {}
    onExtendedHandshake(handshake: { m?: Record<string, number> }): void {
      if (!handshake.m || !handshake.m[SWARM_CHANGED_NAME]) return;
      handlers.onReady((paths) => {
        if (!this.wire.destroyed) this.wire.extended(SWARM_CHANGED_NAME, encodeChangedMessage(paths));
      });
    }
    onMessage(bytes: Uint8Array): void {
      const paths = decodeChangedMessage(bytes);
      if (paths) handlers.onMessage(paths);
    }
  }
  (SwarmChanged.prototype as unknown as { name: string }).name = SWARM_CHANGED_NAME;
  return SwarmChanged;
}
