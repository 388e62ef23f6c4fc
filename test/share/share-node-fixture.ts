/**
 * In-process share tests over real SwarmNodes on 127.0.0.1: the Noise handshake, the
 * trust list and the production link path (net's streamx duplex handed to webtorrent,
 * with write coalescing). Each node has a torrent router; every node made here trusts
 * every other live one. A teardown list runs in reverse order after every test.
 */
import { afterEach } from 'vitest';
import { createIdentity, type Identity } from '../../src/identity/identity.js';
import { SwarmNode, type TrustPolicy } from '../../src/net/swarm-node.js';
import { TorrentRouter } from '../../src/share/torrent-router.js';

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
