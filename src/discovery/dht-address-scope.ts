/**
 * Which addresses a DHT answer may lead a node to dial. The DHT is untrusted input: a
 * hostile node can name any IP:port for any key, hoping to make us connect to hosts on our
 * side of the network. So an address is dialled only when it is in a space this node is in:
 * public addresses always; loopback only when the node itself runs on loopback (tests);
 * private (RFC 1918, CGNAT, ULA) and link-local only when one of our interfaces is in that
 * same kind of space; never unspecified, multicast, broadcast or reserved ones.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export type AddressScope = 'public' | 'private' | 'loopback' | 'link-local' | 'never';

export function scopeOf(host: string): AddressScope {
  const family = isIP(host);
  if (family === 4) return scope4(host.split('.').map(Number) as [number, number, number, number]);
  if (family === 6) return scope6(host.toLowerCase());
  return 'never';
}

function scope4([a, b, c, d]: [number, number, number, number]): AddressScope {
  if (a === 127) return 'loopback';
  if (a === 0 || a >= 224 || (a === 255 && b === 255 && c === 255 && d === 255)) return 'never';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  return 'public';
}

function scope6(host: string): AddressScope {
  if (host.startsWith('::ffff:') && isIP(host.slice(7)) === 4) return scopeOf(host.slice(7));
  if (host === '::1') return 'loopback';
  if (host === '::' || host.startsWith('ff')) return 'never';
  if (/^fe[89ab]/.test(host)) return 'link-local';
  if (/^f[cd]/.test(host)) return 'private';
  return 'public';
}

/**
 * The scopes this node may dial: those of its own listening host, or when it listens on
 * every interface, those of the machine's interfaces (loopback excluded: another program
 * on this machine is not a peer found on the DHT).
 */
export function ownScopes(listenHost: string | undefined): Set<AddressScope> {
  const scopes = new Set<AddressScope>(['public']);
  const isAny = listenHost === undefined || listenHost === '0.0.0.0' || listenHost === '::';
  if (!isAny) {
    scopes.add(scopeOf(listenHost));
  } else {
    for (const list of Object.values(networkInterfaces())) {
      for (const entry of list ?? []) if (!entry.internal) scopes.add(scopeOf(entry.address.split('%')[0]!));
    }
  }
  scopes.delete('never');
  return scopes;
}

export function isDialableScope(host: string, scopes: ReadonlySet<AddressScope>): boolean {
  const scope = scopeOf(host);
  return scope !== 'never' && scopes.has(scope);
}
