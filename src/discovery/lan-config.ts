/**
 * Where LAN beacons go: an organisation-local IPv4 multicast group (and the IPv6 link-local
 * all-swarm group) on a fixed UDP port, all overridable from the environment so tests run
 * on loopback apart from each other and a network with other rules can move them:
 *
 *   SWARM_NO_LAN=1          no beacons at all (as --no-lan)
 *   SWARM_LAN_GROUP         IPv4 multicast group (default 239.255.79.27)
 *   SWARM_LAN_PORT          UDP port (default 7927)
 *   SWARM_LAN_INTERFACE     IPv4 address of the interface beacons leave and are heard on
 *                           (default: the system's choice; 127.0.0.1 when the node listens on loopback)
 */
import { isIP } from 'node:net';
import { usageError } from '../errors.js';
import { isEnvFlagSet } from './env-flag.js';

export const DEFAULT_LAN_GROUP4 = '239.255.79.27';
export const DEFAULT_LAN_GROUP6 = 'ff02::7927:1';
export const DEFAULT_LAN_PORT = 7927;

export interface LanConfig {
  group4: string;
  /** Undefined when beacons stay on one IPv4 interface (SWARM_LAN_INTERFACE, or loopback). */
  group6?: string;
  udpPort: number;
  /** The IPv4 interface address, or undefined for the system's default. */
  interface4?: string;
}

/** The LAN settings, or undefined when LAN discovery is off (--no-lan or SWARM_NO_LAN=1). Bad values are usage errors. */
export function lanConfig(env: NodeJS.ProcessEnv, options: { isLanOff?: boolean; listenHost?: string }): LanConfig | undefined {
  if (options.isLanOff || isEnvFlagSet(env.SWARM_NO_LAN)) return undefined;
  const group4 = env.SWARM_LAN_GROUP?.trim() || DEFAULT_LAN_GROUP4;
  if (!isMulticast4(group4)) throw usageError(`SWARM_LAN_GROUP must be an IPv4 multicast address (224.0.0.0 to 239.255.255.255), not ${JSON.stringify(group4)}`);
  const portText = env.SWARM_LAN_PORT?.trim() || String(DEFAULT_LAN_PORT);
  const udpPort = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(udpPort >= 1 && udpPort <= 65535)) throw usageError(`SWARM_LAN_PORT must be a port from 1 to 65535, not ${JSON.stringify(portText)}`);
  let interface4 = env.SWARM_LAN_INTERFACE?.trim() || undefined;
  if (interface4 !== undefined && isIP(interface4) !== 4) throw usageError(`SWARM_LAN_INTERFACE must be an IPv4 address, not ${JSON.stringify(interface4)}`);
  // A node that listens on loopback can only be reached there: beacons stay there too.
  if (interface4 === undefined && options.listenHost !== undefined && isLoopback(options.listenHost)) interface4 = '127.0.0.1';
  return { group4, udpPort, interface4, group6: interface4 === undefined ? DEFAULT_LAN_GROUP6 : undefined };
}

function isMulticast4(text: string): boolean {
  if (isIP(text) !== 4) return false;
  const first = Number(text.split('.')[0]);
  return first >= 224 && first <= 239;
}

export function isLoopback(host: string): boolean {
  return host === '::1' || host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.'));
}
