// openChat over a real SwarmNode on 127.0.0.1: nothing is served before start() (so the
// history and ready line can be printed first), and a listener that cannot start leaves
// no node, watcher or history file descriptor behind.
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../src/chat/author-rate-limit.js';
import { openChat, type OpenChat } from '../../src/chat/open-chat.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { tempDir } from '../helpers/temp-home.js';
import { createNodes } from '../helpers/test-nodes.js';
import { makeIdentities } from '../helpers/test-identities.js';

const openFds = () => readdirSync('/proc/self/fd').length;
const allTrusted = { allows: () => true, nameOf: () => undefined, find: () => undefined };
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function chatOn(port: number, identity = makeIdentities(1)[0]): Promise<OpenChat> {
  const node = new SwarmNode({ identity: identity!, trust: allTrusted, host: '127.0.0.1', port });
  return openChat({ home: tempDir(), identity: identity!, trust: allTrusted, node, peers: [], historyMaxBytes: 1024 * 1024, rateLimits: DEFAULT_RATE_LIMITS });
}

describe('openChat', () => {
  it('listens at once but takes chat links only after start()', async () => {
    const [identity] = makeIdentities(1);
    const chat = await chatOn(0, identity);
    cleanups.push(() => chat.close());
    const [caller] = await createNodes(1);
    caller!.trust.add(identity!);
    await expect(caller!.node.connect('127.0.0.1', chat.address.port, 'chat')).rejects.toThrow(/does not serve chat/);
    chat.start();
    const link = await caller!.node.connect('127.0.0.1', chat.address.port, 'chat');
    expect(link.channel).toBe('chat');
    await expect.poll(() => chat.session.snapshot().peers.length).toBe(1);
    expect(chat.session.snapshot().peers[0]).toMatchObject({ key: caller!.identity.keyText, host: '127.0.0.1', isInitiator: false });
  });

  it('closes the node and the history file when the port is taken', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => squatter.close(resolve)));
    const port = (squatter.address() as { port: number }).port;
    const before = openFds();
    await expect(chatOn(port)).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    expect(openFds()).toBe(before);
  });
});
