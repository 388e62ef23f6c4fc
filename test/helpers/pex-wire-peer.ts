/**
 * A hand-written torrent peer for swarm_pex tests: an in-process SwarmNode link on the
 * "torrent <infohash>" channel (the real secure channel), with a bare bittorrent-protocol
 * wire on top that speaks only the handshakes and swarm_pex. It records every swarm_pex
 * message it receives and sends whatever pex messages the test scripts.
 */
import { randomBytes } from 'node:crypto';
import WireClass from 'bittorrent-protocol';
import type { SwarmNode } from '../../src/net/swarm-node.js';
import type { PexMessage } from '../../src/share/swarm-pex.js';
import { createSwarmPexExtension } from '../../src/share/swarm-pex.js';
import { torrentChannel } from '../../src/net/channel-name.js';

export interface PexWirePeer {
  /** Raw swarm_pex payloads received, as text. */
  received: string[];
  /** Resolves once the remote advertised swarm_pex; then `send` works. */
  ready: Promise<(message: PexMessage | Uint8Array) => void>;
  close(): void;
}

export async function connectPexWirePeer(node: SwarmNode, host: string, port: number, infoHash: string, expectedKey: Uint8Array): Promise<PexWirePeer> {
  const link = await node.connect(host, port, torrentChannel(infoHash), { expectedKey });
  const wire = new WireClass();
  const stream = link.stream as unknown as NodeJS.ReadWriteStream;
  stream.pipe(wire as unknown as NodeJS.WritableStream);
  (wire as unknown as NodeJS.ReadableStream).pipe(stream);
  const received: string[] = [];
  let resolveReady!: (send: (message: PexMessage | Uint8Array) => void) => void;
  const ready = new Promise<(message: PexMessage | Uint8Array) => void>((resolve) => (resolveReady = resolve));
  const Extension = createSwarmPexExtension({
    onReady: (_wire, send) => resolveReady(send as (message: PexMessage | Uint8Array) => void),
    onMessage: () => {},
  }) as new (w: unknown) => { onMessage(bytes: Uint8Array): void };
  // Record the raw bytes too (before the decoder filters anything).
  const originalOnMessage = Extension.prototype.onMessage;
  Extension.prototype.onMessage = function (this: unknown, bytes: Uint8Array) {
    received.push(Buffer.from(bytes).toString('utf8'));
    originalOnMessage.call(this, bytes);
  };
  (wire as unknown as { use(ext: unknown): void }).use(Extension);
  (wire as unknown as { handshake(infoHash: string, peerId: string, extensions: object): void }).handshake(infoHash, randomBytes(20).toString('hex'), { dht: false });
  return { received, ready, close: () => link.close() };
}
