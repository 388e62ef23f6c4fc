/**
 * A trusted sharer gone bad (its key stolen): the real SwarmNode (Noise, trust list) and
 * the real torrent wiring, serving a torrent whose info dictionary is written by hand,
 * so its names, lengths and piece length are whatever the attack needs, and a magnet
 * whose `dn`/`xl` say something else. Closed after each test.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import bencode from 'bencode';
import { afterEach } from 'vitest';
import { loadOrCreateIdentity } from '../../src/identity/identity.js';
import { TrustStore } from '../../src/identity/trust-store.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { createLockedClient, destroyClient } from '../../src/share/locked-client.js';
import { buildMagnetLink } from '../../src/share/magnet-link.js';
import { TorrentPeers } from '../../src/share/torrent-peers.js';
import { TorrentRouter } from '../../src/share/torrent-router.js';
import { tempDir } from '../helpers/temp-home.js';
import type { Torrent } from 'webtorrent';
import type { TestUser } from './cli-peers.js';

export interface HostileFile {
  path: string[];
  data: Buffer;
}

export interface HostileTorrent {
  name: string;
  /** A folder torrent; without it, a single file holding `data`. */
  files?: HostileFile[];
  data?: Buffer;
  pieceLength?: number;
  /** Fields that override the computed info dictionary (bad lengths, piece sizes...). */
  infoOverrides?: Record<string, unknown>;
}

export interface HostileSharer {
  infoHash: string;
  /** The sharer's webtorrent torrent, for tests that misbehave on its wires. */
  torrent: Torrent;
  /** A link from this sharer with whatever dn/xl the attacker chooses (omitted when undefined). */
  magnet(show?: { dn?: string; xl?: number }): string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function infoOf(torrent: HostileTorrent): Record<string, unknown> {
  const pieceLength = torrent.pieceLength ?? 16384;
  const all = Buffer.concat(torrent.files ? torrent.files.map((f) => f.data) : [torrent.data ?? Buffer.alloc(0)]);
  const hashes: Buffer[] = [];
  for (let offset = 0; offset < all.length; offset += pieceLength) hashes.push(createHash('sha1').update(all.subarray(offset, offset + pieceLength)).digest());
  const info: Record<string, unknown> = { name: torrent.name, 'piece length': pieceLength, pieces: Buffer.concat(hashes), private: 1 };
  if (torrent.files) info.files = torrent.files.map((f) => ({ length: f.data.length, path: f.path }));
  else info.length = all.length;
  return { ...info, ...torrent.infoOverrides };
}

/** Lays the data out where webtorrent's store (under `root`) reads it, so the sharer can seed. */
function writeData(root: string, torrent: HostileTorrent): void {
  const files = torrent.files ?? [{ path: [], data: torrent.data ?? Buffer.alloc(0) }];
  for (const file of files) {
    const path = join(root, torrent.name, ...file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.data);
  }
}

/** Starts serving `torrent` as `user`; `hasData: false` serves the metadata only. */
export async function startHostileSharer(user: TestUser, torrent: HostileTorrent, hasData = true): Promise<HostileSharer> {
  const identity = loadOrCreateIdentity(user.home);
  const trust = TrustStore.load(user.home);
  const node = new SwarmNode({ identity, trust, host: '127.0.0.1', port: 0 });
  const router = new TorrentRouter(node);
  const { port } = await node.listen();
  const client = await createLockedClient();
  cleanups.push(async () => {
    await destroyClient(client);
    await node.close();
  });
  const root = tempDir('swarm-hostile-');
  if (hasData) writeData(root, torrent);
  const { default: MemoryChunkStore } = await import('memory-chunk-store');
  const added = client.add(Buffer.from(bencode.encode({ info: infoOf(torrent) })), {
    path: root,
    announce: [],
    private: true,
    ...(hasData ? {} : { store: MemoryChunkStore }),
  });
  await new Promise<void>((resolve, reject) => {
    added.once('ready', () => resolve());
    added.once('error', reject);
  });
  const peers = new TorrentPeers({ torrent: added, node, ownKeyText: identity.keyText, listenPort: port, isAllowed: (key) => trust.allows(key) });
  router.add(added.infoHash, peers);
  cleanups.push(async () => peers.close());
  return {
    infoHash: added.infoHash,
    torrent: added,
    magnet: (show = {}) =>
      buildMagnetLink({ infoHash: added.infoHash, name: show.dn, length: show.xl, peers: [{ host: '127.0.0.1', port }], keyText: identity.keyText }),
  };
}
