/**
 * The UDP sockets a LAN announcer needs, per address family: a receiver on the shared
 * beacon port that joined the group, and a sender with a port of its own (so answers to its
 * queries reach only it), multicast kept to the link and looped back to this machine.
 * Either family may fail to open (no route for its group) as long as one works. IPv4 joins
 * the group on every interface (a laptop on Wi-Fi and Ethernet, a host without a default
 * route), each with a sender bound to that interface's address, so a beacon's source is an
 * address the hearer can dial.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { LanConfig } from './lan-config.js';

export interface LanEndpoint {
  socket: Socket;
  group: string;
  port: number;
  /** The IPv4 interface it sends on, with its netmask, when known (to answer on the right one). */
  interface4?: { address: string; netmask?: string };
}

/** The IPv4 interfaces to beacon on: the forced one, the listening address's, else every external one (none: the system's choice). */
function ipv4Interfaces(forced: string | undefined, source: string | undefined): ({ address: string; netmask?: string } | undefined)[] {
  if (forced) return [{ address: forced }];
  const external = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((entry) => entry.family === 'IPv4' && !entry.internal);
  if (source) return [external.find((entry) => entry.address === source) ?? { address: source }];
  return external.length > 0 ? external.map(({ address, netmask }) => ({ address, netmask })) : [undefined];
}

function ipv4ToNumber(text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function isOnSubnet(address: string, on: { address: string; netmask?: string }): boolean {
  if (isIP(address) !== 4 || !on.netmask) return false;
  const mask = ipv4ToNumber(on.netmask);
  return ((ipv4ToNumber(address) ^ ipv4ToNumber(on.address)) & mask) >>> 0 === 0;
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
    await sockets.openIpv4(config.udpPort, config.group4, ipv4Interfaces(config.interface4, source4), source4).catch((error: unknown) => failures.push(error));
    if (config.group6) await sockets.openIpv6(config.udpPort, config.group6).catch((error: unknown) => failures.push(error));
    if (sockets.endpoints.length === 0) {
      await sockets.close();
      throw failures[0];
    }
    return sockets;
  }

  /** The sender for replies to this source (same family), if one is open. */
  endpointFor(remote: RemoteInfo): LanEndpoint | undefined {
    const family = this.endpoints.filter((e) => (remote.family === 'IPv6') === e.group.includes(':'));
    return family.find((e) => e.interface4 && isOnSubnet(remote.address, e.interface4)) ?? family[0];
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.splice(0).map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  private async openIpv4(udpPort: number, group: string, interfaces: ({ address: string; netmask?: string } | undefined)[], source: string | undefined): Promise<void> {
    // The receiver shares the fixed port with every other node on this host (reuseAddr).
    const receiver = this.track(createSocket({ type: 'udp4', reuseAddr: true }));
    await bind(receiver, udpPort, '0.0.0.0');
    const joined = interfaces.filter((iface) => {
      try {
        receiver.addMembership(group, iface?.address);
        return true;
      } catch {
        return false; // an interface without multicast; the others still work
      }
    });
    if (joined.length === 0) receiver.addMembership(group, interfaces[0]?.address); // throws the reason
    for (const iface of joined) {
      const sender = this.track(createSocket({ type: 'udp4' }));
      await bind(sender, 0, source ?? iface?.address);
      if (iface) sender.setMulticastInterface(iface.address);
      this.prepareSender(sender);
      this.endpoints.push({ socket: sender, group, port: udpPort, interface4: iface });
    }
  }

  private async openIpv6(udpPort: number, group: string): Promise<void> {
    const receiver = this.track(createSocket({ type: 'udp6', reuseAddr: true }));
    await bind(receiver, udpPort, '::');
    receiver.addMembership(group);
    const sender = this.track(createSocket({ type: 'udp6' }));
    await bind(sender, 0, undefined);
    this.prepareSender(sender);
    this.endpoints.push({ socket: sender, group, port: udpPort });
  }

  private prepareSender(sender: Socket): void {
    sender.setMulticastLoopback(true); // other nodes on this machine are on the LAN too
    sender.setMulticastTTL(1); // link scope: beacons never cross a router
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
