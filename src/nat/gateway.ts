/**
 * The default IPv4 gateway (the home router port mapping asks) and our address towards it.
 * Linux reads /proc/net/route; elsewhere there is no gateway to ask (mapping is skipped).
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

export interface Gateway {
  address: string;
  /** Our source address on the route to the gateway: the internal client of a mapping. */
  localAddress: string;
}

/** The default route's gateway from /proc/net/route's text (little-endian hex), or undefined. */
export function parseDefaultGateway(routeTable: string): string | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    if (destination !== '00000000' || !gateway || !/^[0-9A-Fa-f]{8}$/.test(gateway)) continue;
    // RTF_UP (1) and RTF_GATEWAY (2)
    if ((parseInt(flags ?? '0', 16) & 3) !== 3) continue;
    const value = parseInt(gateway, 16);
    return [value & 255, (value >>> 8) & 255, (value >>> 16) & 255, value >>> 24].join('.');
  }
  return undefined;
}

export async function findGateway(): Promise<Gateway | undefined> {
  let table: string;
  try {
    table = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return undefined;
  }
  const address = parseDefaultGateway(table);
  if (!address) return undefined;
  // connect() on a UDP socket sends nothing; it only picks the route and so our source address.
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(9, address, () => resolve());
    });
    return { address, localAddress: socket.address().address };
  } catch {
    return undefined;
  } finally {
    socket.close();
  }
}
