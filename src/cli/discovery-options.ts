/**
 * --no-lan, --no-dht and --dht-bootstrap, and starting discovery for a command that runs a
 * node. Discovery is a help, never a requirement: when its sockets cannot open (the UDP port
 * taken by another program, no multicast route) the command warns once and goes on without it.
 */
import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import type { Command } from 'commander';
import { dhtConfig, type DhtConfig } from '../discovery/dht-config.js';
import type { DhtDiscovery } from '../discovery/dht-discovery.js';
import type { DhtNode } from '../discovery/dht-node.js';
import { lanConfig } from '../discovery/lan-config.js';
import type { DiscoveredPeer, LanDiscovery, ShareRef } from '../discovery/lan-discovery.js';
import type { DiscoveryReporter } from '../ui/discovery-reporter.js';
import type { CliContext } from './context.js';

export interface DiscoveryOptions {
  /** False with --no-lan. */
  lan?: boolean;
  /** False with --no-dht. */
  dht?: boolean;
  dhtBootstrap?: string;
}

export function addDiscoveryOptions(command: Command): Command {
  return command
    .option('--no-lan', 'do not look for trusted peers on the local network nor announce this node there (UDP multicast beacons; also SWARM_NO_LAN=1)')
    .option('--no-dht', 'do not look for trusted peers in the Mainline DHT nor announce this node there (also SWARM_NO_DHT=1)')
    .option('--dht-bootstrap <nodes>', 'host:port[,host:port…] of the DHT nodes to start from, for a private DHT (also SWARM_DHT_BOOTSTRAP; default: the public Mainline routers)');
}

/** True when LAN discovery will run (checks the SWARM_LAN_* settings: a bad one is a usage error). */
export function isLanOn(options: DiscoveryOptions & { host?: string }): boolean {
  return lanConfig(process.env, { isLanOff: options.lan === false, listenHost: options.host }) !== undefined;
}

/** The DHT settings, or undefined when it is off (a bad bootstrap list is a usage error). */
export function dhtSettings(options: DiscoveryOptions): DhtConfig | undefined {
  return dhtConfig(process.env, { isDhtOff: options.dht === false, bootstrapText: options.dhtBootstrap });
}

export async function startLanDiscovery(
  context: Pick<CliContext, 'identity' | 'trust'>,
  options: DiscoveryOptions & { host?: string },
  listenPort: number,
  reporter: DiscoveryReporter,
  shares: { held?: () => ShareRef[]; wanted?: () => ShareRef[] } = {},
): Promise<LanDiscovery | undefined> {
  const config = lanConfig(process.env, { isLanOff: options.lan === false, listenHost: options.host });
  if (!config) return undefined;
  // Discovery's modules (UDP sockets; the DHT's k-rpc, dns) load only when it is on: with
  // --no-lan/--no-dht a command does not pay for them at start.
  const { LanDiscovery } = await import('../discovery/lan-discovery.js');
  const discovery = new LanDiscovery({
    identity: context.identity,
    trustedKeys: () => trustedKeys(context),
    listenPort,
    listenHost: options.host,
    config,
    ...shares,
  });
  discovery.on('peer', (peer) => reporter.found(peer));
  try {
    await discovery.start();
  } catch (error) {
    await discovery.close();
    reporter.lanUnavailable(`UDP port ${config.udpPort}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return undefined;
  }
  return discovery;
}

/** What a command adds to DHT discovery: its shares, presence, and relay hints (dht-relay-keys.ts). */
export interface DhtExtras {
  held?: () => ShareRef[];
  wanted?: () => ShareRef[];
  isPresence?: boolean;
  isLookingForRelays?: boolean;
  isOwnRelay?: (host: string, port: number) => boolean;
  /** Keys this node announces as a relay for the nodes registered with it. */
  relayHints?: () => Buffer[];
}

/**
 * DHT discovery, started in the background (bootstrapping can take seconds and the command
 * need not wait for it): peers found are emitted as 'peer'; close() waits for the start.
 */
export class BackgroundDht extends EventEmitter<{ peer: [DiscoveredPeer] }> {
  node: DhtNode | undefined;
  private discovery: DhtDiscovery | undefined;
  private isClosed = false;
  private readonly started: Promise<void>;

  constructor(
    context: Pick<CliContext, 'identity' | 'trust' | 'home'>,
    config: DhtConfig,
    options: { host?: string; listenPort: number; reporter: DiscoveryReporter } & DhtExtras,
  ) {
    super();
    this.started = startDhtNode(config, context.home, options.host).then(
      ({ node, DhtDiscovery }) => {
        this.node = node;
        if (this.isClosed) return;
        const discovery = new DhtDiscovery({
          node,
          identity: context.identity,
          trustedKeys: () => trustedKeys(context),
          listenPort: options.listenPort,
          held: options.held,
          wanted: options.wanted,
          isPresence: options.isPresence,
          isLookingForRelays: options.isLookingForRelays,
          isOwnRelay: options.isOwnRelay,
          relayHints: options.relayHints,
          isOwnAddress: (host, port) => port === options.listenPort && (host === options.host || localAddresses().has(host)),
        });
        discovery.on('peer', (peer) => {
          options.reporter.found(peer);
          this.emit('peer', peer);
        });
        this.discovery = discovery;
        discovery.start();
      },
      (error: unknown) => options.reporter.dhtUnavailable(`UDP: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`),
    );
  }

  /** Announce now (a download just completed). */
  nudge(): void {
    this.discovery?.nudge();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    await this.started;
    await this.discovery?.close();
    await this.node?.close();
  }
}

/** A started DHT node, with the class that runs discovery on it: both modules load only now (see startLanDiscovery). */
async function startDhtNode(config: DhtConfig, home: string, listenHost: string | undefined) {
  const [{ DhtNode }, { DhtDiscovery }] = await Promise.all([import('../discovery/dht-node.js'), import('../discovery/dht-discovery.js')]);
  return { node: await DhtNode.start({ config, home, listenHost }), DhtDiscovery };
}

export function startDhtDiscovery(
  context: Pick<CliContext, 'identity' | 'trust' | 'home'>,
  options: DiscoveryOptions & { host?: string },
  listenPort: number,
  reporter: DiscoveryReporter,
  extra: DhtExtras = {},
): BackgroundDht | undefined {
  const config = dhtSettings(options);
  return config ? new BackgroundDht(context, config, { host: options.host, listenPort, reporter, ...extra }) : undefined;
}

function trustedKeys(context: Pick<CliContext, 'trust'>): Uint8Array[] {
  return context.trust.list().map((entry) => entry.publicKey).filter((key) => context.trust.allows(key));
}

function localAddresses(): Set<string> {
  return new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address)));
}
