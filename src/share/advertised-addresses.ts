import { networkInterfaces } from 'node:os';
import type { PeerAddress } from '../net/peer-address.js';

/** The addresses to put in the magnet: the listen host, or every external IPv4 for a wildcard. */
export function advertisedAddresses(host: string, port: number): PeerAddress[] {
  if (host !== '0.0.0.0' && host !== '::') return [{ host, port }];
  const found: PeerAddress[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) found.push({ host: entry.address, port });
  }
  return found.length > 0 ? found.slice(0, 4) : [{ host: '127.0.0.1', port }];
}
