/**
 * A peer's listening address, written "host:port" or "[ipv6]:port" (in --peer and in a
 * magnet's x.pe). One parser for both, so the CLI and magnet links accept the same forms.
 */
export interface PeerAddress {
  host: string;
  port: number;
}

export function formatPeerAddress(address: PeerAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** The address, or undefined when the text is not host:port with a port from 1 to 65535. */
export function parsePeerAddress(text: string): PeerAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}

/** An IPv4-mapped IPv6 address (a dual-stack listener's view of an IPv4 peer) as plain IPv4. */
export function plainHost(host: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(host);
  return mapped ? mapped[1]! : host;
}
