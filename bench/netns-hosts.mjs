// Hosts for distribution benchmarks: each in its own network namespace, joined by a bridge
// in a hub namespace, with private 10.x addresses that exist only inside these namespaces
// (nothing leaves the machine). Each host's uplink is capped by tbf on its veth (egress).
// Needs root and `ip`/`tc` (iproute2). Everything is removed by destroy().
import { execFileSync } from 'node:child_process';

const run = (command, args) => execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });

/**
 * @param {number} count hosts
 * @param {{ uplinkMbit: number }} options
 * @returns {{ hosts: { ns: string, address: string }[], destroy(): void, sentBytes(): number[] }}
 */
export function createCappedHosts(count, { uplinkMbit }) {
  const tag = `${process.pid % 10000}`;
  const hub = `swb-hub-${tag}`;
  const subnet = `10.${100 + (process.pid % 100)}.${process.pid % 250}`;
  const hosts = Array.from({ length: count }, (_, i) => ({ ns: `swb-h${i}-${tag}`, address: `${subnet}.${i + 1}` }));
  const destroy = () => {
    for (const ns of [hub, ...hosts.map((h) => h.ns)]) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  };
  try {
    run('ip', ['netns', 'add', hub]);
    run('ip', ['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', hub, 'link', 'set', 'br0', 'up']);
    hosts.forEach(({ ns, address }, i) => {
      const inner = `swbv${i}h${tag}`;
      const outer = `swbv${i}b${tag}`;
      run('ip', ['netns', 'add', ns]);
      run('ip', ['link', 'add', inner, 'type', 'veth', 'peer', 'name', outer]);
      run('ip', ['link', 'set', inner, 'netns', ns]);
      run('ip', ['link', 'set', outer, 'netns', hub]);
      run('ip', ['-n', hub, 'link', 'set', outer, 'master', 'br0']);
      run('ip', ['-n', hub, 'link', 'set', outer, 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', inner]);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', ns, 'link', 'set', inner, 'up']);
      // The host's upload: tbf on its side of the veth pair.
      if (uplinkMbit > 0) run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', inner, 'root', 'tbf', 'rate', `${uplinkMbit}mbit`, 'burst', '256kb', 'latency', '400ms']);
    });
  } catch (error) {
    destroy();
    throw error;
  }
  /** Bytes each host has sent so far (its veth's far end in the hub received them), in host order. */
  const sentBytes = () => {
    const script = hosts.map((_, i) => `cat /sys/class/net/swbv${i}b${tag}/statistics/rx_bytes`).join(';');
    return execFileSync('ip', ['netns', 'exec', hub, 'sh', '-c', script], { encoding: 'utf8', timeout: 5_000 }).trim().split('\n').map(Number);
  };
  return { hosts, destroy, sentBytes };
}
