/**
 * swarm_pex: peer exchange among trusted peers of one torrent, as a BEP 10 extension
 * message inside the (already encrypted) BitTorrent wire. ut_pex is off: it carries
 * bare addresses, and for our injected connections only ephemeral ports. swarm_pex
 * carries keys, so every address learned is dialled through the secure channel
 * expecting that key, and only if our own trust store allows it.
 *
 * Wire (after the BEP 10 extended handshake advertises "swarm_pex"):
 * 1. Each side sends one message when the handshake completes and again when its peer
 *    set changes (debounced by the sender).
 * 2. Message = UTF-8 JSON `{"v":1,"listen":<port>|null,"peers":[{"host":…,"port":…,"key":…}],"accept":[<hash>…]}`:
 *    `listen` is the sender's own listening port (its host is the address we see it at);
 *    `peers` are peers the sender has authenticated for this torrent (at most 64), only
 *    those that accept the recipient and that the recipient accepts (pex-introductions.ts);
 *    `accept` are the keys the sender accepts introductions to, hashed for the recipient
 *    (at most 256; absent: none).
 * 3. A message over 16 KiB or not matching the shape is ignored; so is a peer whose host is
 *    not an IP literal, and an accept entry that is not 16 hex digits.
 */
import { isIP } from 'node:net';
import type { Wire } from 'webtorrent';
import { ACCEPT_HASH_HEX_CHARS, MAX_ACCEPT_HASHES } from './pex-introductions.js';
import { decodeExtensionJson } from './extension-json.js';

export const SWARM_PEX_NAME = 'swarm_pex';
const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_PEX_PEERS = 64;

export interface PexPeer {
  host: string;
  port: number;
  key: string;
}

export interface PexMessage {
  listen: number | null;
  peers: PexPeer[];
  /** Hashes of the keys the sender accepts introductions to (pex-introductions.ts). */
  accept?: string[];
}

const ACCEPT_HASH = new RegExp(`^[0-9a-f]{${ACCEPT_HASH_HEX_CHARS}}$`);

export interface SwarmPexHandlers {
  /** The remote supports swarm_pex; `send` may be called from now on. */
  onReady(wire: Wire, send: (message: PexMessage) => void): void;
  onMessage(wire: Wire, message: PexMessage): void;
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536;
}

export function decodePexMessage(bytes: Uint8Array): PexMessage | undefined {
  const parsed = decodeExtensionJson(bytes, MAX_MESSAGE_BYTES);
  if (!parsed || !Array.isArray(parsed.peers)) return undefined;
  const listen = isPort(parsed.listen) ? parsed.listen : null;
  const peers: PexPeer[] = [];
  for (const peer of parsed.peers.slice(0, MAX_PEX_PEERS)) {
    // Only IP literals: a host name would make us resolve (and leak to DNS) whatever a peer
    // says, and these strings end up in messages printed to the user.
    if (peer && typeof peer.host === 'string' && isIP(peer.host) !== 0 && isPort(peer.port) && typeof peer.key === 'string' && peer.key.length < 128) {
      peers.push({ host: peer.host, port: peer.port, key: peer.key });
    }
  }
  if (!Array.isArray(parsed.accept)) return { listen, peers };
  const accept = parsed.accept.slice(0, MAX_ACCEPT_HASHES).filter((hash: unknown): hash is string => typeof hash === 'string' && ACCEPT_HASH.test(hash));
  return { listen, peers, accept };
}

export function encodePexMessage(message: PexMessage): Uint8Array {
  const accept = message.accept?.slice(0, MAX_ACCEPT_HASHES);
  return Buffer.from(JSON.stringify({ v: 1, listen: message.listen, peers: message.peers.slice(0, MAX_PEX_PEERS), ...(accept ? { accept } : {}) }));
}

/** A bittorrent-protocol extension class bound to `handlers` (pass to wire.use). */
export function createSwarmPexExtension(handlers: SwarmPexHandlers): unknown {
  class SwarmPex {
    readonly wire: Wire;
    constructor(wire: Wire) {
      this.wire = wire;
    }
    onHandshake(): void {}
    onExtendedHandshake(handshake: { m?: Record<string, number> }): void {
      if (!handshake.m || !handshake.m[SWARM_PEX_NAME]) return;
      handlers.onReady(this.wire, (message) => {
        if (!this.wire.destroyed) this.wire.extended(SWARM_PEX_NAME, encodePexMessage(message));
      });
    }
    onMessage(bytes: Uint8Array): void {
      const message = decodePexMessage(bytes);
      if (message) handlers.onMessage(this.wire, message);
    }
  }
  (SwarmPex.prototype as unknown as { name: string }).name = SWARM_PEX_NAME;
  return SwarmPex;
}
