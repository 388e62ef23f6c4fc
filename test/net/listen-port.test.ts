// Listening: the default port falls back to a free one when taken; a port the user chose
// does not, and fails with a one-line error and a hint.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PORT, SwarmNode } from '../../src/net/swarm-node.js';
import { makeIdentities } from '../helpers/test-identities.js';

const HOST = '127.0.0.9';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Makes sure HOST:DEFAULT_PORT is taken (by us, or already by someone else). */
async function occupyDefaultPort(): Promise<void> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => {
    server.once('error', () => resolve());
    server.listen(DEFAULT_PORT, HOST, () => resolve());
  });
  closers.push(() => new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve())));
}

function node(port?: number): SwarmNode {
  const created = new SwarmNode({ identity: makeIdentities(1)[0]!, trust: { allows: () => false }, host: HOST, port });
  closers.push(() => created.close());
  return created;
}

describe('SwarmNode.listen', () => {
  it('falls back to a free port when the default port is taken', async () => {
    await occupyDefaultPort();
    const address = await node().listen();
    expect(address.host).toBe(HOST);
    expect(address.port).not.toBe(DEFAULT_PORT);
    expect(address.port).toBeGreaterThan(0);
    expect(address.isFallbackPort).toBe(true); // so share can say the firewall rule no longer fits
  });

  it('says it did not fall back when it got the port it was asked for', async () => {
    const address = await node(0).listen();
    expect(address.isFallbackPort).toBe(false);
  });

  it('refuses a taken port the user asked for, with a hint', async () => {
    await occupyDefaultPort();
    await expect(node(DEFAULT_PORT).listen()).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: `port ${DEFAULT_PORT} is already in use (${HOST}:${DEFAULT_PORT})`,
      hint: expect.stringContaining('--port'),
    });
  });
});
