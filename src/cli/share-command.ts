/**
 * `swarm share <file|dir>`: seed it to trusted keys, print the magnet link, serve until
 * SIGINT/SIGTERM with a status line (peers, uploaded) on stderr.
 */
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { encodeKeyText } from '../identity/key-text.js';
import { SwarmNode } from '../net/swarm-node.js';
import { advertisedAddresses } from '../share/advertised-addresses.js';
import { checkSharePath, startShare } from '../share/share-session.js';
import { TorrentRouter } from '../share/torrent-router.js';
import { parseRate } from '../ui/parse-rate.js';
import { RefusalReporter } from '../ui/refusal-reporter.js';
import { ShareReporter } from '../ui/share-reporter.js';
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
    .option('--json', 'one JSON event per line: ready, peer-connected, peer-disconnected, refused, error, status')
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

async function runShare(context: CliContext, path: string, options: ShareOptions): Promise<void> {
  checkSharePath(path);
  const allowed = allowedKeys(context, options.allow);
  const extraPeers = (options.peer ?? []).map(parsePeerOption);
  const node = new SwarmNode({ identity: context.identity, trust: context.trust, host: options.host, port: options.port });
  const router = new TorrentRouter(node);
  const address = await node.listen();
  const session = await startShare({
    node,
    router,
    ownKeyText: context.identity.keyText,
    advertisedAddresses: advertisedAddresses(address.host, address.port),
    listenPort: address.port,
    extraPeers,
    path,
    isAllowed: (key) => context.trust.allows(key) && (!allowed || allowed.has(encodeKeyText(key))),
    uploadLimitBytesPerSecond: options.uploadLimit,
    isSuperSeeding: options.superSeed !== false,
  }).catch(async (error: unknown) => {
    await node.close();
    throw error;
  });
  const reporter = new ShareReporter(session, { isJson: !!options.json, nameOf: (key) => nameOfKey(context, key) });
  reporter.ready(address.port);
  const refusals = new RefusalReporter(node, { isJson: !!options.json });
  await untilSignal();
  refusals.stop();
  reporter.stop();
  await session.close();
  await node.close();
}
