/**
 * bittorrent-protocol reads a message's 4-byte length and then buffers that many bytes
 * before looking at them: up to 4 GiB, which lets any peer with a link (trusted, but
 * perhaps compromised or buggy) exhaust our memory. Our peers never need more than a
 * piece block (16 KiB + 13), a metadata piece (16 KiB + a small header) or a bitfield
 * (one bit per piece), so a wire that announces a longer message is destroyed at once.
 */
import { replaceOnMessageLength } from './webtorrent-internals.js';

/** A bitfield of 8 million pieces; far above any message a swarm peer sends. */
export const MAX_WIRE_MESSAGE_BYTES = 1024 * 1024;

let isInstalled = false;

/** Patches the Wire class webtorrent uses (once per process). */
export async function limitWireMessages(): Promise<void> {
  if (isInstalled) return;
  const { default: WireClass } = await import('bittorrent-protocol');
  const prototype = WireClass.prototype;
  replaceOnMessageLength(prototype, (readLength) =>
    function (this: typeof prototype, buffer: Uint8Array) {
      const length = ((buffer[0]! << 24) >>> 0) + (buffer[1]! << 16) + (buffer[2]! << 8) + buffer[3]!;
      if (length > MAX_WIRE_MESSAGE_BYTES) return this.destroy();
      return readLength.call(this, buffer);
    });
  isInstalled = true;
}

