/**
 * `swarm share <file|dir>`: seed it to trusted keys, print the magnet link, serve until
 * SIGINT/SIGTERM with a status line (peers, uploaded) on stderr.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { decodeKeyText, encodeKeyText } from '../identity/key-text.js';
import { DEFAULT_PORT, SwarmNode } from '../net/swarm-node.js';
import { advertisedAddresses } from '../share/advertised-addresses.js';
import { checkSharePath, startShare } from '../share/share-session.js';
import { preloadEngine } from '../share/locked-client.js';
import { listShare } from '../share/share-listing.js';
import { TorrentRouter } from '../share/torrent-router.js';
import { parseRate } from '../ui/parse-rate.js';
import { RefusalReporter } from '../ui/refusal-reporter.js';
import { ShareReporter } from '../ui/share-reporter.js';
import { ShareStartReporter } from '../ui/share-start-reporter.js';
import { nameOfKey, openContext, type CliContext } from './context.js';
import { addNodeOptions, parsePeerOption, pinnedPeerKeys, type NodeOptions } from './node-options.js';
import { KnownAddresses } from '../identity/known-addresses.js';
import { signalExitCode, untilSignal } from './until-signal.js';
import { addDiscoveryOptions, dhtSettings, isLanOn, startDhtDiscovery, startLanDiscovery, type DiscoveryOptions } from './discovery-options.js';
import { DiscoveryReporter } from '../ui/discovery-reporter.js';
import { addNatOption, startPortMapping, type NatOptions } from './nat-options.js';
import { addRelayOptions, learnRelaysWhenUnreachable, startRelaying, type RelayOptions } from './relay-options.js';
import { ownRelayHintKeys } from '../discovery/dht-relay-keys.js';
import { formatPeerAddress, parsePeerAddress, type PeerAddress } from '../net/peer-address.js';
import { buildMagnetLink, parseMagnetLink } from '../share/magnet-link.js';
import type { ShareRef } from '../discovery/lan-discovery.js';

interface ShareOptions extends NodeOptions, DiscoveryOptions, NatOptions, RelayOptions {
  allow?: string;
  uploadLimit?: number;
  superSeed?: boolean;
  includeHidden?: boolean;
  json?: boolean;
}

export function registerShareCommand(program: Command): void {
  const command = program
    .command('share')
    .description('share a file or directory with trusted keys; prints a magnet link and serves until Ctrl-C')
    .argument('<path>', 'file or directory to share');
  addNodeOptions(command);
  addDiscoveryOptions(command);
  addNatOption(command);
  addRelayOptions(command, true);
  command
    .option('--allow <names>', 'only these trusted names (or keys), comma-separated, may fetch it (default: every trusted key)')
    .option('--upload-limit <rate>', 'cap upload speed, bytes/s with k, M or G suffix (e.g. 4M)', parseRate)
    .option('--no-super-seed', 'turn off initial seeding (by default each piece is handed out once before any piece twice)')
    .option('--include-hidden', 'share names starting with "." too (skipped by default; getters then need --allow-hidden)')
    .option('--json', 'one JSON event per line: listing, warning, hashing, ready, peer-connected, peer-disconnected, peer-finished, refused, error, status, stopped')
    .addHelpText(
      'after',
      `
Only regular files inside the folder are shared: symlinks are never followed (each skipped
one is listed), nor are hidden names unless --include-hidden. Piece hashes are cached in
SWARM_HOME, so restarting an unchanged share is quick.

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
  isLanOn(options); // a bad SWARM_LAN_* setting is a usage error before hashing starts
  dhtSettings(options); // and so is a bad --dht-bootstrap
  const allowed = allowedKeys(context, options.allow);
  const extraPeers = (options.peer ?? []).map(parsePeerOption);
  const isJson = !!options.json;
  preloadEngine().catch(() => {}); // overlaps listing and listening; a failure surfaces in startShare
  const start = new ShareStartReporter(isJson);
  const listing = listShare(path, { includeHidden: !!options.includeHidden });
  start.listing(listing);
  if (context.trust.list().length === 0) start.emptyTrust();
  const node = new SwarmNode({
    identity: context.identity,
    trust: context.trust,
    host: options.host,
    port: options.port,
    addressBook: KnownAddresses.load(context.home, (keyText) => context.trust.find(keyText) !== undefined),
    pinnedKeys: pinnedPeerKeys(context, extraPeers),
  });
  // Listening starts before hashing ends (the magnet needs the port): until the torrent is
  // registered, getters are told "starting" and retry, rather than "not available here".
  const router = new TorrentRouter(node, { isStarting: true });
  // Once the share is ready, its relays announce it in the DHT for us (relay hints): filled in below.
  const held: ShareRef[] = [];
  const hints = () => ownRelayHintKeys({ identity: context.identity, held, nowMs: Date.now() });
  // The magnet once the share is ready; a moved port mapping or a learned relay prints it again, changed.
  let magnet: string | undefined;
  const linkWithRelay = (relay: PeerAddress) => {
    if (magnet !== undefined) magnet = magnetWithRelay(magnet, relay);
    return magnet;
  };
  const relaying = startRelaying(context, node, options, { register: true, isJson, hints, linkWithRelay });
  const address = await node.listen().catch(async (error: unknown) => {
    relaying.close();
    await node.close();
    throw error;
  });
  if (address.isFallbackPort) start.portFallback(DEFAULT_PORT, address.port);
  // Asked while hashing runs; the magnet waits for the answer to carry the router's external address first.
  const natOutcome: { isFailed?: boolean } = {};
  const natStarting = startPortMapping(options, address, natOutcome, { linkAfterMove: (previous, now) => magnet && magnetWithAddress(magnet, previous, now) });
  // Ctrl-C from here on, hashing included, ends the share cleanly: the router's mapping is deleted.
  const stopping = untilSignal();
  const withExternal = natStarting.then((nat) => {
    const external = nat?.mapped();
    return [...(external ? [{ host: external.externalHost, port: external.externalPort }] : []), ...advertisedAddresses(address.host, address.port)].slice(0, 4);
  });
  const starting = startShare({
    node: relaying.dialer,
    router,
    ownKeyText: context.identity.keyText,
    advertisedAddresses: withExternal,
    relays: relaying.relays,
    listenPort: address.port,
    extraPeers,
    path,
    listing,
    hashCacheDir: join(context.home, 'share-cache'),
    onHashProgress: (done, total, isCached) => start.hashing(done, total, isCached),
    isAllowed: (key) => context.trust.allows(key) && (!allowed || allowed.has(encodeKeyText(key))),
    uploadLimitBytesPerSecond: options.uploadLimit,
    isSuperSeeding: options.superSeed !== false,
  });
  const stopStarting = async () => {
    start.stop();
    relaying.close();
    await (await natStarting)?.close();
    await node.close();
  };
  const started = await Promise.race([starting, stopping]).catch(async (error: unknown) => {
    await stopStarting();
    throw error;
  });
  if (typeof started === 'string') {
    // Interrupted while hashing: nothing to serve yet; the mapping is gone, so stop the hashing too.
    starting.then((session) => session.close(), () => {});
    await stopStarting();
    process.exit(signalExitCode(started));
  }
  const session = started;
  magnet = session.magnet;
  const nat = await natStarting;
  start.stop();
  const reporter = new ShareReporter(session, { isJson, nameOf: (key) => nameOfKey(context, key) });
  session.on('peer-connected', ({ key, remoteHost, remotePort, isInbound, isRelayed, isPunched }: { key: string; remoteHost: string; remotePort: number; isInbound: boolean; isRelayed: boolean; isPunched: boolean }) => {
    if (isInbound) nat?.noteInbound({ host: remoteHost, isRelayed, isPunched });
    // A trusted peer we dialled at its listening address may relay for us if our port is
    // unreachable (relay-learner.ts): not one reached through a relay or on a punched port.
    else if (!isRelayed && !isPunched) relaying.considerPeer(decodeKeyText(key), remoteHost, remotePort);
  });
  const stopLearning = learnRelaysWhenUnreachable(relaying, nat, natOutcome);
  reporter.ready(address.port);
  const refusals = new RefusalReporter(node, { isJson });
  // Getters holding the magnet (with or without x.pe) find this share by its beacons and in the DHT.
  held.push({ infoHash: session.infoHash, sharerKey: context.identity.publicKey });
  relaying.refreshHints();
  const discoveryReporter = new DiscoveryReporter({ isJson, isFoundReported: false });
  const discovery = await startLanDiscovery(context, options, address.port, discoveryReporter, { held: () => held });
  const dht = startDhtDiscovery(context, options, address.port, discoveryReporter, { held: () => held, relayHints: relaying.relayHints });
  relaying.onNewHints(() => dht?.nudge());
  const signal = await stopping;
  stopLearning();
  await Promise.all([discovery?.close(), dht?.close()]);
  refusals.stop();
  reporter.stopped();
  relaying.close();
  await session.close();
  await nat?.close();
  await node.close();
  // Stopping is what Ctrl-C is for, but scripts still tell it from a clean end: 128 + signal.
  process.exitCode = signalExitCode(signal);
}

/** `magnet` with the x.pe address `previous` replaced by `now` (a port mapping that moved). */
function magnetWithAddress(magnet: string, previous: string, now: string): string | undefined {
  const link = parseMagnetLink(magnet);
  const moved = parsePeerAddress(now);
  if (!moved) return undefined;
  return buildMagnetLink({ ...link, peers: link.peers.map((peer) => (formatPeerAddress(peer) === previous ? moved : peer)) });
}

/** `magnet` with `relay` added as an x.relay (a relay learned from a trusted peer). */
function magnetWithRelay(magnet: string, relay: PeerAddress): string {
  const link = parseMagnetLink(magnet);
  const address = { host: relay.host, port: relay.port };
  const known = (link.relays ?? []).some((r) => formatPeerAddress(r) === formatPeerAddress(address));
  return known ? magnet : buildMagnetLink({ ...link, relays: [...(link.relays ?? []), address] });
}
