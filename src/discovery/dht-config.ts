/**
 * Where the DHT starts from: the public Mainline routers by default, or the nodes of a
 * private DHT (--dht-bootstrap, SWARM_DHT_BOOTSTRAP). Off with --no-dht or SWARM_NO_DHT=1,
 * which the tests, benchmarks and demo set so they never reach the public routers.
 */
import { usageError } from '../errors.js';
import { formatPeerAddress, parsePeerAddress, type PeerAddress } from '../net/peer-address.js';
import { isEnvFlagSet } from './env-flag.js';

export const PUBLIC_DHT_ROUTERS: readonly PeerAddress[] = [
  { host: 'router.bittorrent.com', port: 6881 },
  { host: 'router.utorrent.com', port: 6881 },
  { host: 'dht.transmissionbt.com', port: 6881 },
];
export const MAX_BOOTSTRAP_NODES = 32;

export interface DhtConfig {
  bootstrap: PeerAddress[];
  /** True when the bootstrap is the public Mainline routers (nothing was given). */
  isPublic: boolean;
}

/** The DHT settings, or undefined when it is off. A bad bootstrap list is a usage error. */
export function dhtConfig(env: NodeJS.ProcessEnv, options: { isDhtOff?: boolean; bootstrapText?: string }): DhtConfig | undefined {
  const text = options.bootstrapText ?? (env.SWARM_DHT_BOOTSTRAP?.trim() || undefined);
  // Checked even when the DHT is off, so a typo is never silently ignored.
  const bootstrap = text === undefined ? undefined : parseBootstrap(text);
  if (options.isDhtOff || isEnvFlagSet(env.SWARM_NO_DHT)) return undefined;
  return bootstrap ? { bootstrap, isPublic: false } : { bootstrap: [...PUBLIC_DHT_ROUTERS], isPublic: true };
}

export function parseBootstrap(text: string): PeerAddress[] {
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw usageError('--dht-bootstrap needs at least one host:port');
  if (items.length > MAX_BOOTSTRAP_NODES) throw usageError(`--dht-bootstrap takes at most ${MAX_BOOTSTRAP_NODES} nodes, not ${items.length}`);
  return items.map((item) => {
    const address = parsePeerAddress(item);
    if (!address) throw usageError(`--dht-bootstrap: ${JSON.stringify(item)} is not host:port (port 1 to 65535)`, 'e.g. --dht-bootstrap 10.0.0.5:6881,[fd00::5]:6881');
    return address;
  });
}

/** One line naming the bootstrap, for `swarm id --json` and the routing file's check. */
export function bootstrapText(config: DhtConfig): string {
  return config.bootstrap.map(formatPeerAddress).join(',');
}
