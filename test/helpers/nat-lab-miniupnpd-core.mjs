// Typed front for tests: nat-lab-miniupnpd.ts.
/**
 * A real home router's port forwarding in the NAT lab (shared by test/ and bench/): Debian's miniupnpd (nftables build)
 * running in a router namespace, with the nft table and chains it expects (its
 * nft_init.sh fails on Debian: $NFT unset) and its pid and lease files in a temp dir, so
 * runs at the same time share nothing.
 *
 * miniupnpd 2.3.1 turns port forwarding off when the router's external address is in any
 * private or reserved block (getifaddr.c addr_is_reserved: RFC 1918, 100.64/10, TEST-NET-1/2/3,
 * 198.18/15, …; ext_ip= refuses them too), and that version has no option to allow one. So a
 * lab for it uses MINIUPNPD_PUBLIC_SUBNET on its public segment: the lab's namespaces have no
 * link to the machine's own, so those addresses route nowhere outside the lab.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MINIUPNPD_PATH = '/usr/sbin/miniupnpd';
/** Not reserved in miniupnpd's list; used only inside the sealed lab. */
export const MINIUPNPD_PUBLIC_SUBNET = '11.11.11';

// miniupnpd's default names (table filter, family inet); the forward chain accepts by
// default because the lab router's own `homefw` table does the filtering.
const NFT_LAYOUT = `table inet filter {
  chain miniupnpd {
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    jump miniupnpd
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
  }
}
`;

/**
 * @param {ReturnType<typeof import('./nat-lab-core.mjs').createNatLab>} lab
 * @param {number} routerIndex
 * @param {{ natPmp: boolean, upnp: boolean }} protocols
 * @returns {Promise<{ log(): string, redirects(): string[], stop(): void }>}
 */
export async function startMiniupnpd(lab, routerIndex, protocols) {
  const router = lab.routers[routerIndex];
  const dir = mkdtempSync(join(tmpdir(), 'swarm-miniupnpd-'));
  // A fresh table: rules a previous miniupnpd left behind must not count as this one's.
  lab.exec(router.ns, 'nft', ['delete', 'table', 'inet', 'filter']);
  lab.nft(router.ns, NFT_LAYOUT);
  writeFileSync(join(dir, 'miniupnpd.conf'), [
    'ext_ifname=wan',
    'listening_ip=lan',
    'port=0',
    `enable_natpmp=${protocols.natPmp ? 'yes' : 'no'}`,
    `enable_upnp=${protocols.upnp ? 'yes' : 'no'}`,
    'secure_mode=yes',
    'system_uptime=yes',
    `lease_file=${join(dir, 'leases')}`,
    'uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b',
    `allow 1024-65535 ${router.lanSubnet} 1024-65535`,
    'deny 0-65535 0.0.0.0/0 0-65535',
    '',
  ].join('\n'));
  // Its log goes to a file, not a pipe: a caller blocked in a synchronous call (spawnSync)
  // would leave a pipe unread, and miniupnpd stops answering once the pipe is full.
  const logPath = join(dir, 'miniupnpd.log');
  const logFd = openSync(logPath, 'a');
  const child = lab.spawn(router.ns, MINIUPNPD_PATH, ['-f', join(dir, 'miniupnpd.conf'), '-d', '-P', join(dir, 'miniupnpd.pid')], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let lastLog = '';
  const readLog = () => {
    try {
      lastLog = readFileSync(logPath, 'utf8');
    } catch {
      // removed by stop(): the last read stands
    }
    return lastLog;
  };
  const readyLine = protocols.natPmp ? 'Listening for NAT-PMP' : 'HTTP listening on port';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`miniupnpd did not start:\n${readLog()}`)), 10_000);
    const poll = setInterval(() => {
      if (!readLog().includes(readyLine)) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`miniupnpd exited (${code}):\n${readLog()}`));
    });
  });
  return {
    log: readLog,
    redirects: () => lab.exec(router.ns, 'nft', ['list', 'chain', 'inet', 'filter', 'prerouting_miniupnpd']).stdout.split('\n').filter((line) => line.includes('dnat')).map((line) => line.trim()),
    stop: () => {
      readLog();
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
