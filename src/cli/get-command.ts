/**
 * `swarm get <magnet>`: fetch from every trusted peer that has it; exit 0 only when every
 * file is complete and verified. Refuses a link whose key is not trusted, with the
 * exact command to trust it. Ctrl-C keeps verified pieces (rerun to resume).
 */
import type { Command } from 'commander';
import { errors } from '../errors.js';
import { decodeKeyText, fingerprint } from '../identity/key-text.js';
import { SwarmNode } from '../net/swarm-node.js';
import { GetSession } from '../share/get-session.js';
import { looksCutByShell, parseMagnetLink, type MagnetLink } from '../share/magnet-link.js';
import { TorrentRouter } from '../share/torrent-router.js';
import { parseRate } from '../ui/parse-rate.js';
import { formatBytes } from '../ui/progress-format.js';
import { TransferReporter } from '../ui/transfer-reporter.js';
import { RefusalReporter } from '../ui/refusal-reporter.js';
import { nameOfKey, openContext, type CliContext } from './context.js';
import { addNodeOptions, parsePeerOption, pinnedPeerKeys, type NodeOptions } from './node-options.js';
import { KnownAddresses } from '../identity/known-addresses.js';
import { untilSignal } from './until-signal.js';

interface GetOptions extends NodeOptions {
  output: string;
  seed?: boolean;
  force?: boolean;
  allowHidden?: boolean;
  json?: boolean;
  uploadLimit?: number;
}

export function registerGetCommand(program: Command): void {
  const command = program
    .command('get')
    .description('download a magnet link from trusted peers; exits 0 only when complete and verified')
    .argument('<magnet>', 'the "magnet:?…" link printed by `swarm share` (quote it)');
  addNodeOptions(command, 'default: any free port');
  command
    .option('-o, --output <dir>', 'directory to save into', '.')
    .option('--seed', 'keep serving the file to others after it is complete, until Ctrl-C')
    .option('--force', 'replace existing files the download names (never a folder or link)')
    .option('--allow-hidden', 'allow file or folder names starting with "." (refused by default)')
    .option('--upload-limit <rate>', 'cap upload speed to other getters, bytes/s with k, M or G suffix (e.g. 4M)', parseRate)
    .option('--json', 'one JSON event per line: metadata, checking, progress, peer-*, done (with --seed also refused, error)')
    .addHelpText(
      'after',
      `
Examples:
  $ swarm get 'magnet:?xt=urn:btih:…&x.pe=192.168.1.20%3A7000&x.key=swarm1…' -o ~/Downloads
  $ swarm get "$LINK" --peer 192.168.1.21:7000 --seed`,
    )
    .action((magnet: string, options: GetOptions) => runGet(magnet, options));
}

/** The sharer's key must already be trusted; say exactly how to trust it otherwise. */
function checkSharerTrusted(context: CliContext, magnet: MagnetLink): void {
  if (!magnet.keyText) return;
  const key = decodeKeyText(magnet.keyText);
  if (context.trust.allows(key)) return;
  throw errors.untrustedSharer({ keyText: magnet.keyText, fingerprint: fingerprint(key) });
}

async function runGet(magnetText: string, options: GetOptions): Promise<void> {
  const magnet = parseMagnetLink(magnetText);
  const extraPeers = (options.peer ?? []).map(parsePeerOption);
  const context = openContext();
  checkSharerTrusted(context, magnet);
  if (magnet.peers.length === 0 && extraPeers.length === 0) {
    throw errors.noAddressInLink(looksCutByShell(magnet));
  }
  const node = new SwarmNode({ identity: context.identity, trust: context.trust, host: options.host, port: options.port ?? 0, addressBook: KnownAddresses.load(context.home), pinnedKeys: pinnedPeerKeys(context, extraPeers) });
  const router = new TorrentRouter(node);
  const address = await node.listen();
  const session = new GetSession({
    node,
    router,
    ownKeyText: context.identity.keyText,
    listenPort: address.port,
    magnet,
    extraPeers,
    outDir: options.output,
    stateDir: context.home,
    isForced: !!options.force,
    isHiddenAllowed: !!options.allowHidden,
    isAllowed: (key) => context.trust.allows(key),
    uploadLimitBytesPerSecond: options.uploadLimit,
    nameOf: (key) => nameOfKey(context, key),
  });
  const reporter = new TransferReporter(session, { isJson: !!options.json, nameOf: (key) => nameOfKey(context, key) });
  const stop = async () => {
    reporter.stop();
    await session.close();
    await node.close();
  };
  await runUntilSignal(session).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  reporter.done();
  if (options.seed) {
    const stopSeeding = reporter.seeding(address.port);
    const refusals = new RefusalReporter(node, { isJson: !!options.json });
    await untilSignal();
    refusals.stop();
    stopSeeding();
  }
  await stop();
}

/** The download, unless SIGINT/SIGTERM comes first: then INTERRUPTED, saying what is kept. */
async function runUntilSignal(session: GetSession): Promise<void> {
  const interrupted = untilSignal().then(() => 'interrupted' as const);
  const running = session.run().then(() => 'done' as const);
  running.catch(() => {}); // after an interrupt nobody awaits it any more
  if ((await Promise.race([running, interrupted])) === 'done') return;
  const snap = session.snapshot();
  throw errors.interrupted(`${formatBytes(snap.verified)} of ${formatBytes(snap.length)} verified and kept`);
}
