/**
 * `swarm share <file|dir>`: seed it to trusted keys, print the magnet link, serve until
 * SIGINT/SIGTERM with a status line (peers, uploaded) on stderr.
 */
import { networkInterfaces } from 'node:os';
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { encodeKeyText } from '../identity/key-text.js';
import { SwarmNode } from '../net/swarm-node.js';
import { checkSharePath, startShare } from '../share/share-session.js';
import { TorrentRouter } from '../share/torrent-router.js';
import type { PeerAddress } from '../net/peer-address.js';
import { printJsonLine } from '../ui/json-output.js';
import { parseRate } from '../ui/parse-rate.js';
import { ShareStatus } from '../ui/progress-display.js';
import { watchPeerEvents } from '../ui/progress-events.js';
import { escapeTerminal } from '../ui/terminal-text.js';
import { nameOfKey, openContext, type CliContext } from './context.js';
import { addNodeOptions, parsePeerOption, type NodeOptions } from './node-options.js';
import { untilSignal } from './until-signal.js';

interface ShareOptions extends NodeOptions {
  allow?: string;
  uploadLimit?: number;
  superSeed?: boolean;
  json?: boolean;
}

export function registerShareCommand(program: Command): void {
  const command = program
    .command('share')
    .description('share a file or directory with trusted keys; prints a magnet link and serves until Ctrl-C')
    .argument('<path>', 'file or directory to share');
  addNodeOptions(command);
  command
    .option('--allow <names>', 'only these trusted names (or keys), comma-separated, may fetch it (default: every trusted key)')
    .option('--upload-limit <rate>', 'cap upload speed, bytes/s with k, M or G suffix (e.g. 4M)', parseRate)
    .option('--no-super-seed', 'turn off initial seeding (by default each piece is handed out once before any piece twice)')
    .option('--json', 'one JSON event per line: ready, peer-connected, peer-disconnected, status')
    .addHelpText(
      'after',
      `
Examples:
  $ swarm share ./photos --port 7000
  $ swarm share report.pdf --allow alice,bob --upload-limit 2M`,
    )
    .action((path: string, options: ShareOptions) => runShare(openContext(), path, options));
}

/** --allow names -> the set of allowed key texts (every name must be in the trust store). */
function allowedKeys(context: CliContext, allow: string | undefined): Set<string> | undefined {
  if (allow === undefined) return undefined;
  const keys = new Set<string>();
  for (const name of allow.split(',').map((n) => n.trim()).filter(Boolean)) {
    const entry = context.trust.find(name);
    if (!entry) throw usageError(`--allow: ${JSON.stringify(name)} is not in your trust list`, 'see `swarm trust list`');
    keys.add(entry.key);
  }
  if (keys.size === 0) throw usageError('--allow needs at least one name');
  return keys;
}

/** The addresses to put in the magnet: the listen host, or every external IPv4 for a wildcard. */
export function advertisedAddresses(host: string, port: number): PeerAddress[] {
  if (host !== '0.0.0.0' && host !== '::') return [{ host, port }];
  const found: PeerAddress[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) found.push({ host: entry.address, port });
  }
  return found.length > 0 ? found.slice(0, 4) : [{ host: '127.0.0.1', port }];
}

async function runShare(context: CliContext, path: string, options: ShareOptions): Promise<void> {
  checkSharePath(path);
  const allowed = allowedKeys(context, options.allow);
  const extraPeers = (options.peer ?? []).map(parsePeerOption);
  const node = new SwarmNode({ identity: context.identity, trust: context.trust, host: options.host, port: options.port });
  const router = new TorrentRouter(node);
  const address = await node.listen();
  let session;
  try {
    session = await startShare({
      node,
      router,
      ownKeyText: context.identity.keyText,
      advertisedAddresses: advertisedAddresses(address.host, address.port),
      listenPort: address.port,
      path,
      isAllowed: (key) => context.trust.allows(key) && (!allowed || allowed.has(encodeKeyText(key))),
      uploadLimitBytesPerSecond: options.uploadLimit,
      isSuperSeeding: options.superSeed !== false,
    });
  } catch (error) {
    await node.close();
    throw error;
  }
  for (const peer of extraPeers) session.peers.dial(peer);
  if (options.json) {
    printJsonLine({ event: 'ready', magnet: session.magnet, port: address.port, infoHash: session.infoHash, name: session.name, length: session.length });
  } else {
    process.stdout.write(`${session.magnet}\n`);
    process.stderr.write(`sharing ${escapeTerminal(session.name)} on port ${address.port}; give the magnet link above to a trusted friend. Ctrl-C stops.\n`);
  }
  watchPeerEvents(session.peers, (key) => nameOfKey(context, key), !!options.json);
  const status = new ShareStatus(process.stderr, !options.json);
  const tick = setInterval(() => {
    const torrent = session.torrent;
    status.update(session.peers.connectedCount, torrent.uploaded, torrent.uploadSpeed);
    if (options.json) printJsonLine({ event: 'status', peers: session.peers.connectedCount, uploaded: torrent.uploaded, traffic: session.peers.peerTraffic() });
  }, 1000);
  await untilSignal();
  clearInterval(tick);
  status.stop();
  await session.close();
  await node.close();
}
