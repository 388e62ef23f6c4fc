/**
 * Two hosts on different subnets with a router namespace between them (no LAN path: no
 * bridge, no multicast crosses), and a third subnet of addresses on the router's loopback
 * for DHT nodes both hosts reach. Namespaces are named sw-<pid>-*, made and removed by the
 * test (destroy() in afterAll, also after a failure); nothing is routed out of them.
 *
 *   host S 10.N.1.2 --veth-- 10.N.1.1 [router] 10.N.2.1 --veth-- 10.N.2.2 host G
 *                                   lo: 10.N.3.1 … 10.N.3.<dhtCount>
 */
import { execFileSync } from 'node:child_process';
import { removeNamespaces } from './netns.js';

export interface RoutedHosts {
  router: string;
  share: { ns: string; address: string };
  get: { ns: string; address: string };
  /** First three octets of the DHT nodes' subnet (on the router). */
  dhtSubnet: string;
  destroy(): void;
}

const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });

export function createRoutedHosts(dhtCount: number): RoutedHosts {
  const tag = `${process.pid}`;
  const short = `${process.pid % 100000}`;
  const base = `10.${150 + (process.pid % 50)}`;
  const router = `sw-${tag}-r`;
  const hosts = [
    { ns: `sw-${tag}-s`, address: `${base}.1.2`, gateway: `${base}.1.1`, inner: `sw${short}s`, outer: `sw${short}rs` },
    { ns: `sw-${tag}-g`, address: `${base}.2.2`, gateway: `${base}.2.1`, inner: `sw${short}g`, outer: `sw${short}rg` },
  ];
  const destroy = () => removeNamespaces([router, ...hosts.map((h) => h.ns)]);
  try {
    ip(['netns', 'add', router]);
    ip(['-n', router, 'link', 'set', 'lo', 'up']);
    // /proc/sys/net is per namespace: this turns forwarding on in the router only (no procps needed).
    execFileSync('ip', ['netns', 'exec', router, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'], { stdio: 'ignore', timeout: 10_000 });
    for (let i = 1; i <= dhtCount; i++) ip(['-n', router, 'addr', 'add', `${base}.3.${i}/32`, 'dev', 'lo']);
    for (const host of hosts) {
      ip(['netns', 'add', host.ns]);
      ip(['link', 'add', host.inner, 'type', 'veth', 'peer', 'name', host.outer]);
      ip(['link', 'set', host.inner, 'netns', host.ns]);
      ip(['link', 'set', host.outer, 'netns', router]);
      ip(['-n', router, 'addr', 'add', `${host.gateway}/24`, 'dev', host.outer]);
      ip(['-n', router, 'link', 'set', host.outer, 'up']);
      ip(['-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', host.inner]);
      ip(['-n', host.ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', host.ns, 'link', 'set', host.inner, 'up']);
      // Only the other host's and the DHT's subnets go via the router: no default route.
      ip(['-n', host.ns, 'route', 'add', `${base}.0.0/16`, 'via', host.gateway]);
    }
  } catch (error) {
    destroy();
    throw error;
  }
  return { router, share: { ns: hosts[0]!.ns, address: hosts[0]!.address }, get: { ns: hosts[1]!.ns, address: hosts[1]!.address }, dhtSubnet: `${base}.3`, destroy };
}
