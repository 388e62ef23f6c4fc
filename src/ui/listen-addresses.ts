/**
 * The addresses a chat (or share) banner tells people to use: where we listen, and for
 * a wildcard listener (0.0.0.0 or ::) this machine's non-loopback IPv4 addresses plus
 * loopback for a second process on the same machine. Peer hosts are shown the same plain
 * way: `10.66.0.2`, not the IPv4-mapped `::ffff:10.66.0.2` a dual-stack socket reports.
 */
import { networkInterfaces } from 'node:os';
import { formatPeerAddress, plainHost } from '../net/peer-address.js';

/** At most this many network addresses are listed (a host with many interfaces). */
const MAX_LISTED = 4;

export interface FriendAddresses {
  /** host:port others on the network dial. */
  network: string[];
  /** host:port for another process on this machine. */
  local: string[];
}

export function friendAddresses(host: string, port: number, interfaces = networkInterfaces()): FriendAddresses {
  const shown = (h: string) => formatPeerAddress({ host: plainHost(h), port });
  if (host !== '0.0.0.0' && host !== '::') {
    const isLoopback = /^127\./.test(plainHost(host)) || host === '::1';
    return isLoopback ? { network: [], local: [shown(host)] } : { network: [shown(host)], local: [] };
  }
  const network: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal && network.length < MAX_LISTED) network.push(shown(entry.address));
  }
  return { network, local: [shown('127.0.0.1')] };
}
