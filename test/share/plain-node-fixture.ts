/**
 * In-process share tests: plain loopback nodes with a torrent router each, and a
 * teardown list that runs in reverse order after every test.
 */
import { afterEach } from 'vitest';
import { TorrentRouter } from '../../src/share/torrent-router.js';
import { PlainLoopbackNode } from './plain-loopback-node.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

export function onTeardown(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

export async function makeNode(): Promise<{ node: PlainLoopbackNode; router: TorrentRouter }> {
  const node = new PlainLoopbackNode();
  await node.listen();
  onTeardown(() => node.close());
  return { node, router: new TorrentRouter(node) };
}
