/**
 * In-process share tests over real SwarmNodes on 127.0.0.1: the Noise handshake, the
 * trust list and the production link path (net's streamx duplex handed to webtorrent,
 * with write coalescing). Each node has a torrent router; every node made here trusts
 * every other live one. A teardown list runs in reverse order after every test.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createIdentity, type Identity } from '../../src/identity/identity.js';
import { SwarmNode, type TrustPolicy } from '../../src/net/swarm-node.js';
import { GetSession } from '../../src/share/get-session.js';
import { parseMagnetLink } from '../../src/share/magnet-link.js';
import { startShare } from '../../src/share/share-session.js';
import { TorrentRouter } from '../../src/share/torrent-router.js';
import { handshakenLink } from '../helpers/bittorrent-by-hand.js';
import { tempDir } from '../helpers/temp-home.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

export function onTeardown(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

const liveIdentities = new Set<Identity>();

/** Trusts every other node made here (as friends who all added each other); lists them for swarm_pex. */
function everyoneBut(self: Identity): TrustPolicy {
  const others = () => [...liveIdentities].filter((identity) => identity !== self);
  return {
    allows: (key) => others().some((identity) => Buffer.from(identity.publicKey).equals(key)),
    list: others,
  };
}

export interface ShareNode {
  node: SwarmNode;
  router: TorrentRouter;
  keyText: string;
  host: string;
  port: number;
}

export async function makeNode(): Promise<ShareNode> {
  const identity = createIdentity();
  const node = new SwarmNode({ identity, trust: everyoneBut(identity), host: '127.0.0.1', port: 0 });
  liveIdentities.add(identity);
  const { host, port } = await node.listen();
  onTeardown(async () => {
    liveIdentities.delete(identity);
    await node.close();
  });
  return { node, router: new TorrentRouter(node), keyText: identity.keyText, host, port };
}

/** A node sharing a new file of `bytes` random bytes (startShare, in-process). */
export async function shareRandomFile(bytes: number): Promise<{ node: ShareNode; infoHash: string }> {
  const path = join(tempDir(), 'shared.bin');
  writeFileSync(path, randomBytes(bytes));
  const node = await makeNode();
  const session = await startShare({
    node: node.node, router: node.router, ownKeyText: node.keyText, advertisedAddresses: [{ host: node.host, port: node.port }],
    listenPort: node.port, path, isAllowed: () => true,
  });
  onTeardown(() => session.close());
  return { node, infoHash: session.infoHash };
}

/** A getter of `infoHash` with no address to fetch from: running, it waits for trusted peers to link to it. */
export async function waitingGetter(infoHash: string): Promise<{ node: ShareNode; session: GetSession; failures: unknown[] }> {
  const node = await makeNode();
  const session = new GetSession({
    node: node.node, router: node.router, ownKeyText: node.keyText, listenPort: node.port, magnet: parseMagnetLink(`magnet:?xt=urn:btih:${infoHash}`),
    extraPeers: [], outDir: tempDir(), stateDir: tempDir(), isForced: false, isAllowed: () => true, isDiscovering: true,
  });
  const failures: unknown[] = [];
  session.on('error', (error: unknown) => failures.push(error));
  session.run().catch((error: unknown) => failures.push(error));
  onTeardown(() => session.close());
  return { node, session, failures };
}

/** A new trusted node's link to `port` on the torrent's channel, past the BitTorrent handshake (errors ignored: the node under test may drop it). */
export async function bitTorrentLinkTo(port: number, infoHash: string): Promise<Awaited<ReturnType<typeof handshakenLink>>> {
  const { node } = await makeNode();
  const link = await handshakenLink(node, port, infoHash);
  link.stream.on('error', () => {});
  return link;
}
