/**
 * The UDP sockets a LAN announcer needs, per address family: a receiver on the shared
 * beacon port that joined the group, and a sender with a port of its own (so answers to its
 * queries reach only it), multicast kept to the link and looped back to this machine.
 * Either family may fail to open (no route for its group) as long as one works.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { LanConfig } from './lan-config.js';

export interface LanEndpoint {
  socket: Socket;
  group: string;
  port: number;
}

export class LanSockets {
  readonly endpoints: LanEndpoint[] = [];
  private readonly sockets: Socket[] = [];

  private constructor(private readonly onMessage: (message: Buffer, remote: RemoteInfo) => void) {}

  /** `sourceHost`: the node's listening address when it is one IPv4 address (beacons leave from it, so their source is dialable). */
  static async open(config: LanConfig, sourceHost: string | undefined, onMessage: (message: Buffer, remote: RemoteInfo) => void): Promise<LanSockets> {
    const sockets = new LanSockets(onMessage);
    const source4 = sourceHost && isIP(sourceHost) === 4 && sourceHost !== '0.0.0.0' ? sourceHost : undefined;
    // Each family is best effort (an IPv6-only link has no IPv4 multicast route, and the
    // other way round); only when none opens is the error the caller's.
    const failures: unknown[] = [];
    await sockets.openFamily('udp4', config.udpPort, config.group4, config.interface4, source4).catch((error: unknown) => failures.push(error));
    if (config.group6) await sockets.openFamily('udp6', config.udpPort, config.group6, undefined, undefined).catch((error: unknown) => failures.push(error));
    if (sockets.endpoints.length === 0) {
      await sockets.close();
      throw failures[0];
    }
    return sockets;
  }

  /** The sender for replies to this source (same family), if one is open. */
  endpointFor(remote: RemoteInfo): LanEndpoint | undefined {
    return this.endpoints.find((e) => (remote.family === 'IPv6') === e.group.includes(':'));
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.splice(0).map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  private async openFamily(type: 'udp4' | 'udp6', udpPort: number, group: string, interfaceAddress: string | undefined, sourceHost: string | undefined): Promise<void> {
    // The receiver shares the fixed port with every other node on this host (reuseAddr).
    const receiver = this.track(createSocket({ type, reuseAddr: true }));
    await bind(receiver, udpPort, type === 'udp4' ? '0.0.0.0' : '::');
    receiver.addMembership(group, interfaceAddress);
    const sender = this.track(createSocket({ type }));
    await bind(sender, 0, sourceHost);
    if (interfaceAddress) sender.setMulticastInterface(interfaceAddress);
    sender.setMulticastLoopback(true); // other nodes on this machine are on the LAN too
    sender.setMulticastTTL(1); // link scope: beacons never cross a router
    this.endpoints.push({ socket: sender, group, port: udpPort });
  }

  private track(socket: Socket): Socket {
    this.sockets.push(socket);
    // A send to an unreachable group or a closed port says so here; beacons are best effort.
    socket.on('error', () => undefined);
    socket.on('message', (message, remote) => this.onMessage(message, remote));
    return socket;
  }
}

function bind(socket: Socket, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/** An IPv4-mapped IPv6 source reads as the IPv4 address it is. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
