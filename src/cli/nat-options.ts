/**
 * --no-nat and SWARM_NO_NAT=1, and starting the port mapping (src/nat/) for a command
 * that listens: share, get --seed, chat. The mapping's failures are reported, never thrown.
 */
import type { Command } from 'commander';
import { isOutsideLocalNetworks } from '../nat/outside-address.js';
import type { MappedPort, MappingMethod, PortMapping } from '../nat/port-mapping.js';
import { PortMappingReporter } from '../ui/port-mapping-reporter.js';
import { isEnvFlagSet } from '../discovery/env-flag.js';

export interface NatOptions {
  /** commander's --no-nat: false when given. */
  nat?: boolean;
  json?: boolean;
}

export function addNatOption(command: Command): Command {
  return command.option('--no-nat', 'do not ask the router to forward our port (NAT-PMP / UPnP IGD; also SWARM_NO_NAT=1)');
}

export function isNatOn(options: NatOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  if (options.nat === false) return false;
  return !isEnvFlagSet(env.SWARM_NO_NAT);
}

/** Lease asked of the router; SWARM_NAT_LEASE_S shortens it (tests of renewal). */
function leaseS(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.SWARM_NAT_LEASE_S;
  if (text === undefined || !/^\d{1,6}$/.test(text) || Number(text) < 2) return undefined;
  return Number(text);
}

/** SWARM_NAT_METHODS=nat-pmp,pcp,upnp (any of them): the protocols to try (tests of one protocol; default all). */
function methods(env: NodeJS.ProcessEnv): MappingMethod[] | undefined {
  const names: Record<string, MappingMethod> = { 'nat-pmp': 'NAT-PMP', pcp: 'PCP', upnp: 'UPnP' };
  const chosen = (env.SWARM_NAT_METHODS ?? '').split(',').map((name) => names[name.trim().toLowerCase()]).filter((method) => method !== undefined);
  return chosen.length > 0 ? chosen : undefined;
}

export interface RunningMapping {
  /** The mapped address, when the router granted one. */
  mapped(): MappedPort | undefined;
  /**
   * An authenticated link came in from `host`: from outside our networks, on the listener,
   * that proves the mapping. Not one through a relay (`host` is the relay's) or on a punched
   * port (opened for that one link): those say nothing about the mapped port.
   */
  noteInbound(inbound: { host: string; isRelayed: boolean; isPunched: boolean }): void;
  /** A link from outside our networks came in through the mapping. */
  isVerified(): boolean;
  close(): Promise<void>;
}

const LOOPBACK_HOST = /^(127\.|::1$|::ffff:127\.|localhost$)/i;

/**
 * Maps `port` unless NAT is off or the node listens on loopback only (nothing outside could
 * use the mapping); resolves once the router answered or gave up (a few seconds at most).
 */
/**
 * `outcome.isFailed`: set when the router would not map the port (not when NAT is off or not
 * in the way). `hooks.linkAfterMove(old, new)`: the link to print when a renewal moves the
 * external address (share: its magnet with the new address).
 */
export async function startPortMapping(
  options: NatOptions,
  address: { host: string; port: number },
  outcome: { isFailed?: boolean } = {},
  hooks: { linkAfterMove?(oldExternal: string, newExternal: string): string | undefined } = {},
): Promise<RunningMapping | undefined> {
  if (!isNatOn(options) || LOOPBACK_HOST.test(address.host)) return undefined;
  const { port } = address;
  const reporter = new PortMappingReporter(!!options.json);
  // Loaded only when a mapping is asked for: its UPnP client loads Node's http stack, which a
  // plain get (and every run with --no-nat) would otherwise pay for at start.
  const { NoNatInTheWay, PortMapping } = await import('../nat/port-mapping.js');
  let mapping: PortMapping;
  try {
    mapping = await PortMapping.open({ internalPort: port, leaseS: leaseS(process.env), methods: methods(process.env), description: `swarm ${port}` });
  } catch (error) {
    if (error instanceof NoNatInTheWay) reporter.notNeeded(error.localAddress);
    else {
      outcome.isFailed = true;
      reporter.failed(port, error instanceof Error ? error.message : String(error));
    }
    return undefined;
  }
  reporter.mapped(mapping.mapped);
  let external = `${mapping.mapped.externalHost}:${mapping.mapped.externalPort}`;
  mapping.on('renewed', (mapped: MappedPort) => {
    const now = `${mapped.externalHost}:${mapped.externalPort}`;
    // The router gave another port (or address): the link printed at start no longer works from outside.
    if (now !== external) reporter.moved(mapped, external, hooks.linkAfterMove?.(external, now));
    else reporter.renewed(mapped);
    external = now;
  });
  mapping.on('renew-failed', (error: unknown) => reporter.renewFailed(error instanceof Error ? error.message : String(error)));
  let isVerified = false;
  return {
    mapped: () => mapping.mapped,
    isVerified: () => isVerified,
    noteInbound: ({ host, isRelayed, isPunched }) => {
      if (isVerified || isRelayed || isPunched || !isOutsideLocalNetworks(host)) return;
      isVerified = true;
      reporter.verified(mapping.mapped, host);
    },
    close: async () => {
      reporter.unmapped(mapping.mapped, await mapping.close());
    },
  };
}
