/** A stranger on the LAN: joins the beacon group on loopback and keeps every datagram it hears. */
import { createSocket, type Socket } from 'node:dgram';

export const DEFAULT_GROUP = '239.255.79.27';

export async function sniffLan(udpPort: number, sockets: Socket[], group = DEFAULT_GROUP): Promise<Buffer[]> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  sockets.push(socket); // the caller closes them after each test
  const captured: Buffer[] = [];
  socket.on('message', (message) => captured.push(message));
  await new Promise<void>((resolve) => socket.bind(udpPort, '0.0.0.0', () => resolve()));
  socket.addMembership(group, '127.0.0.1');
  return captured;
}
