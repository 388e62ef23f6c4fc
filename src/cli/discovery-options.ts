/**
 * --no-lan, and starting LAN discovery for a command that runs a node. Discovery is a help,
 * never a requirement: when its sockets cannot open (the UDP port taken by another program,
 * no multicast route) the command warns once and goes on without it.
 */
import type { Command } from 'commander';
import { lanConfig } from '../discovery/lan-config.js';
import { LanDiscovery, type ShareRef } from '../discovery/lan-discovery.js';
import type { DiscoveryReporter } from '../ui/discovery-reporter.js';
import type { CliContext } from './context.js';

export interface DiscoveryOptions {
  /** False with --no-lan. */
  lan?: boolean;
}

export function addDiscoveryOptions(command: Command): Command {
  return command.option('--no-lan', 'do not look for trusted peers on the local network nor announce this node there (UDP multicast beacons; also SWARM_NO_LAN=1)');
}

/** True when LAN discovery will run (checks the SWARM_LAN_* settings: a bad one is a usage error). */
export function isLanOn(options: DiscoveryOptions & { host?: string }): boolean {
  return lanConfig(process.env, { isLanOff: options.lan === false, listenHost: options.host }) !== undefined;
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
  const discovery = new LanDiscovery({
    identity: context.identity,
    trustedKeys: () => context.trust.list().map((entry) => entry.publicKey).filter((key) => context.trust.allows(key)),
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
