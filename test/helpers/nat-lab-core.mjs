// The NAT lab: home networks, each behind its own router namespace that masquerades with
// nftables (no port forwarding), and a public segment (a bridge in a hub namespace) that the
// routers' wan interfaces and any public hosts (relay, DHT, outsider) sit on. Shared by
// test/helpers/nat-lab.ts and bench/. Needs root, iproute2 and nftables.
//
// Isolation: no namespace here has a link to the machine's own namespace, so no address used
// inside (public-looking ones included) can route anything out. Every veth pair is created
// with both ends directly in lab namespaces, so interface names never meet in the root
// namespace and runs at the same time cannot collide. Namespace names carry a per-run prefix
// (pid + random), and destroy() kills what the lab spawned before deleting the namespaces
// (which takes their nft tables with them).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const STEP_TIMEOUT_MS = 10_000;

function run(command, args, input) {
  return execFileSync(command, args, { input, stdio: ['pipe', 'pipe', 'pipe'], timeout: STEP_TIMEOUT_MS, encoding: 'utf8' });
}

/** Why the lab cannot be built here, or undefined when it can. */
export function natLabUnavailableReason() {
  if (process.getuid?.() !== 0) return 'not running as root';
  for (const [tool, args] of [['ip', ['-V']], ['nft', ['--version']]]) {
    const probe = spawnSync(tool, args, { stdio: 'ignore', timeout: STEP_TIMEOUT_MS });
    if (probe.error || probe.status !== 0) return `${tool} is not installed (apt-get install -y ${tool === 'ip' ? 'iproute2' : 'nftables'})`;
  }
  const probeNs = `swnat-probe-${process.pid}-${randomBytes(2).toString('hex')}`;
  try {
    run('ip', ['netns', 'add', probeNs]);
    run('ip', ['netns', 'del', probeNs]);
    return undefined;
  } catch (error) {
    return `ip netns does not work here: ${String(error.message).split('\n')[0]}`;
  }
}

const live = new Set();
process.once('exit', () => {
  for (const lab of live) lab.destroy();
});

/**
 * @param {{ homes?: number, publicHosts?: string[], publicSubnet?: string }} [options]
 *   publicSubnet: first three octets of the public /24 (default the documentation range 203.0.113).
 */
export function createNatLab(options = {}) {
  const homeCount = options.homes ?? 2;
  const publicNames = options.publicHosts ?? [];
  const publicSubnet = options.publicSubnet ?? '203.0.113';
  if (homeCount < 0 || homeCount > 50) throw new Error('nat lab: 0..50 homes');
  if (publicNames.length > 50) throw new Error('nat lab: at most 50 public hosts');
  const prefix = `swnat-${process.pid}-${randomBytes(3).toString('hex')}-`;
  const hub = `${prefix}pub`;
  const namespaces = [];
  const children = new Set();

  const lab = {
    prefix,
    publicSubnet,
    hub,
    routers: [],
    homes: [],
    publicHosts: {},
    /** Command prefix that runs a program inside `ns` (for CliProcess's wrapper). */
    wrapper: (ns) => ['ip', 'netns', 'exec', ns],
    /** Runs a command to completion inside `ns`; never throws on a non-zero exit. */
    exec(ns, command, args = [], { timeoutMs = STEP_TIMEOUT_MS, input } = {}) {
      const result = spawnSync('ip', ['netns', 'exec', ns, command, ...args], { input, encoding: 'utf8', timeout: timeoutMs });
      return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
    },
    /**
     * Starts a long-running command inside `ns`; killed by destroy() if still running. Its
     * stdout/stderr are pipes unless `stdio` says otherwise: read them, or a chatty process
     * stalls once a pipe is full (e.g. while the caller sits in exec()).
     */
    spawn(ns, command, args = [], spawnOptions = {}) {
      const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    /** Applies an nft script inside `ns` (throws with nft's message on failure). */
    nft(ns, script) {
      run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script);
    },
    destroy() {
      for (const child of children) child.kill('SIGKILL');
      children.clear();
      // Processes still inside (e.g. a CLI started through wrapper()) keep a namespace's
      // network alive after `ip netns del`; kill them first.
      for (const ns of namespaces) {
        const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: STEP_TIMEOUT_MS }).stdout ?? '';
        for (const pid of pids.split(/\s+/).filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      for (const ns of namespaces.splice(0)) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: STEP_TIMEOUT_MS });
      live.delete(lab);
    },
  };

  const addNs = (name) => {
    run('ip', ['netns', 'add', name]);
    namespaces.push(name);
    run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  };
  // A veth pair with one end in each namespace, named there and brought up.
  const link = (nsA, nameA, nsB, nameB) => {
    run('ip', ['-n', nsA, 'link', 'add', nameA, 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB]);
    run('ip', ['-n', nsA, 'link', 'set', nameA, 'up']);
    run('ip', ['-n', nsB, 'link', 'set', nameB, 'up']);
  };
  const onPublic = (ns, ifname, index, address) => {
    const port = `p${index}`;
    link(ns, ifname, hub, port);
    run('ip', ['-n', hub, 'link', 'set', port, 'master', 'br0']);
    run('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', ifname]);
  };

  live.add(lab);
  try {
    addNs(hub);
    run('ip', ['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', hub, 'link', 'set', 'br0', 'up']);
    for (let i = 0; i < homeCount; i++) {
      const letter = String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(i) : '');
      const router = { ns: addNs(`${prefix}r${letter}`), wanAddress: `${publicSubnet}.${10 + i}`, lanAddress: `192.168.${i + 1}.1`, lanSubnet: `192.168.${i + 1}.0/24` };
      const home = { ns: addNs(`${prefix}h${letter}`), address: `192.168.${i + 1}.2`, router };
      onPublic(router.ns, 'wan', i, router.wanAddress);
      link(router.ns, 'lan', home.ns, 'eth0');
      run('ip', ['-n', router.ns, 'addr', 'add', `${router.lanAddress}/24`, 'dev', 'lan']);
      run('ip', ['-n', home.ns, 'addr', 'add', `${home.address}/24`, 'dev', 'eth0']);
      run('ip', ['-n', home.ns, 'route', 'add', 'default', 'via', router.lanAddress]);
      run('ip', ['netns', 'exec', router.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      // A home router: source NAT out of wan, nothing forwarded in.
      lab.nft(router.ns, [
        'table ip nat {',
        '  chain postrouting { type nat hook postrouting priority srcnat; policy accept;',
        '    oifname "wan" masquerade',
        '  }',
        '}',
        'table ip homefw {',
        '  chain forward { type filter hook forward priority filter; policy drop;',
        '    ct state established,related accept',
        '    iifname "lan" oifname "wan" accept',
        '    ct status dnat accept',
        '  }',
        '}',
        '',
      ].join('\n'));
      lab.routers.push(router);
      lab.homes.push(home);
    }
    publicNames.forEach((name, j) => {
      if (!/^[a-z][a-z0-9]{0,11}$/.test(name)) throw new Error(`nat lab: bad public host name ${name}`);
      const host = { ns: addNs(`${prefix}${name}`), address: `${publicSubnet}.${100 + j}` };
      onPublic(host.ns, 'eth0', 100 + j, host.address);
      lab.publicHosts[name] = host;
    });
  } catch (error) {
    lab.destroy();
    throw error;
  }
  return lab;
}
