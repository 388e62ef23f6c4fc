/**
 * Two SecureChannels over a real TCP connection on 127.0.0.1 (alice dials bob on "chat"),
 * closed after each test: for tests of what the channel does with bytes on a real socket.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { secureInbound, secureOutbound } from '../../src/secure/establish-channel.js';
import type { SecureChannel } from '../../src/secure/secure-channel.js';
import { makeIdentities, trusting } from './test-identities.js';

const [alice, bob] = makeIdentities(2);
const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

/** [alice's outbound channel, bob's inbound one]. */
export async function tcpChannelPair(): Promise<[SecureChannel, SecureChannel]> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const inbound = new Promise<SecureChannel>((resolve, reject) =>
    server.once('connection', (socket) => {
      sockets.push(socket);
      secureInbound(socket, { identity: bob!, allows: trusting(alice!), decideChannel: () => null }).then(resolve, reject);
    }));
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  const outbound = secureOutbound(socket, { identity: alice!, allows: trusting(bob!), channel: 'chat', expectedKey: bob!.publicKey });
  return Promise.all([outbound, inbound]);
}
