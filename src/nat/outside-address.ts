/**
 * Whether a peer's address lies outside every network this machine is on: a link from
 * such an address came in through the router, which is what proves a port mapping works.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

function ipv4Number(address: string): number | undefined {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

/** True for an IPv4 host (plain or ::ffff:-mapped) on none of `interfaces`' subnets, nor loopback. */
export function isOutsideLocalNetworks(host: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): boolean {
  const plain = host.replace(/^::ffff:/i, '');
  const value = ipv4Number(plain);
  if (value === undefined || plain.startsWith('127.')) return false;
  for (const list of Object.values(interfaces)) {
    for (const entry of list ?? []) {
      if (entry.family !== 'IPv4') continue;
      const network = ipv4Number(entry.address);
      const mask = ipv4Number(entry.netmask);
      if (network !== undefined && mask !== undefined && ((network & mask) >>> 0) === ((value & mask) >>> 0)) return false;
    }
  }
  return true;
}
