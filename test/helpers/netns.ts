/**
 * Two test hosts in network namespaces joined by a veth pair, made and removed by
 * the test itself. Addresses live only inside these namespaces, so nothing leaves
 * the machine.
 */
import { execFileSync } from 'node:child_process';

export interface TwoHosts {
  nsA: string;
  nsB: string;
  addressA: string;
  addressB: string;
  destroy(): void;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/** Removes namespaces; one already gone is no error (destroy() may run after a failed set-up). */
export function removeNamespaces(names: readonly string[]): void {
  for (const ns of names) {
    try {
      ip(['netns', 'del', ns]);
    } catch {
      // already gone
    }
  }
}

/** Why namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  const probe = `swarm-probe-${process.pid}`;
  try {
    ip(['netns', 'add', probe]);
    ip(['netns', 'del', probe]);
    return undefined;
  } catch (error) {
    return `ip netns does not work here: ${String((error as Error).message).split('\n')[0]}`;
  }
}

/** `ipv6Only`: the link has no IPv4 address, only the IPv6 link-local ones (addressA/B are then those, without scope). */
export function createTwoHosts(options: { ipv6Only?: boolean } = {}): TwoHosts {
  const tag = `${process.pid % 100000}`;
  const nsA = `swarm-a-${tag}`;
  const nsB = `swarm-b-${tag}`;
  const vethA = `swva${tag}`;
  const vethB = `swvb${tag}`;
  const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
  const addressA = `${subnet}.1`;
  const addressB = `${subnet}.2`;
  const destroy = () => removeNamespaces([nsA, nsB]);
  try {
    ip(['netns', 'add', nsA]);
    ip(['netns', 'add', nsB]);
    ip(['link', 'add', vethA, 'type', 'veth', 'peer', 'name', vethB]);
    ip(['link', 'set', vethA, 'netns', nsA]);
    ip(['link', 'set', vethB, 'netns', nsB]);
    if (options.ipv6Only) {
      // Fixed link-local addresses without duplicate detection: usable at once, no waiting.
      ip(['-n', nsA, 'addr', 'add', 'fe80::a/64', 'dev', vethA, 'nodad']);
      ip(['-n', nsB, 'addr', 'add', 'fe80::b/64', 'dev', vethB, 'nodad']);
    } else {
      ip(['-n', nsA, 'addr', 'add', `${addressA}/24`, 'dev', vethA]);
      ip(['-n', nsB, 'addr', 'add', `${addressB}/24`, 'dev', vethB]);
    }
    for (const [ns, veth] of [[nsA, vethA], [nsB, vethB]] as const) {
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'link', 'set', veth, 'up']);
    }
  } catch (error) {
    destroy();
    throw error;
  }
  if (options.ipv6Only) return { nsA, nsB, addressA: 'fe80::a', addressB: 'fe80::b', destroy };
  return { nsA, nsB, addressA, addressB, destroy };
}

/** A namespace with only its own loopback up, and the command prefix that runs a process in it. */
export interface LoopbackHost {
  ns: string;
  wrapper: string[];
  destroy(): void;
}

/** Ports there are free whatever else runs on this machine (a real swarm on the default port, say). */
export function createLoopbackHost(name: string): LoopbackHost {
  const ns = `swarm-${name}-${process.pid % 100000}`;
  const destroy = () => removeNamespaces([ns]);
  try {
    ip(['netns', 'add', ns]);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    destroy();
    throw error;
  }
  return { ns, wrapper: ['ip', 'netns', 'exec', ns], destroy };
}
