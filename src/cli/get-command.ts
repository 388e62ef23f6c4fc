/**
 * `swarm get <magnet>`: fetch from every trusted peer that has it; exit 0 only when every
 * file is complete and verified. Refuses a link whose key is not trusted, with the
 * exact command to trust it. Waits for a sharer that goes away, retrying until Ctrl-C
 * (which keeps verified pieces: rerun to resume) or --timeout (exit 124).
 */
import type { Command } from 'commander';
import { errors } from '../errors.js';
import { decodeKeyText, fingerprint } from '../identity/key-text.js';
import { SwarmNode } from '../net/swarm-node.js';
import { GetSession } from '../share/get-session.js';
import { preloadEngine } from '../share/locked-client.js';
import { looksCutByShell, parseMagnetLink, type MagnetLink } from '../share/magnet-link.js';
import { TorrentRouter } from '../share/torrent-router.js';
import { parseDurationMs } from '../ui/parse-duration.js';
import { parseRate } from '../ui/parse-rate.js';
import { formatBytes } from '../ui/progress-format.js';
import { TransferReporter } from '../ui/transfer-reporter.js';
import { RefusalReporter } from '../ui/refusal-reporter.js';
import { watchWaiting } from '../ui/waiting-reporter.js';
import { nameOfKey, openContext, type CliContext } from './context.js';
import { addNodeOptions, parsePeerOption, pinnedPeerKeys, type NodeOptions } from './node-options.js';
import { KnownAddresses } from '../identity/known-addresses.js';
import { signalExitCode, untilSignal } from './until-signal.js';
import { deferredDiscovery } from './deferred-discovery.js';
import { addDiscoveryOptions, dhtSettings, isLanOn, startDhtDiscovery, startLanDiscovery, type DiscoveryOptions } from './discovery-options.js';
import { DiscoveryReporter } from '../ui/discovery-reporter.js';
import type { DiscoveredPeer } from '../discovery/lan-discovery.js';
import { addNatOption, startPortMapping, type NatOptions } from './nat-options.js';
import { addRelayOptions, startRelaying, type Relaying, type RelayOptions } from './relay-options.js';

interface GetOptions extends NodeOptions, DiscoveryOptions, NatOptions, RelayOptions {
  output: string;
  seed?: boolean;
  force?: boolean;
  allowHidden?: boolean;
  json?: boolean;
  uploadLimit?: number;
  timeout?: string;
}

export function registerGetCommand(program: Command): void {
  const command = program
    .command('get')
    .description('download a magnet link from trusted peers; exits 0 only when complete and verified')
    .argument('<magnet>', 'the "magnet:?…" link printed by `swarm share` (quote it)');
  addNodeOptions(command, 'default: any free port');
  addDiscoveryOptions(command);
  addNatOption(command);
  addRelayOptions(command, true);
  command
    .option('-o, --output <dir>', 'directory to save into', '.')
    .option('--seed', 'keep serving the file to others after it is complete, until Ctrl-C')
    .option('--force', 'replace existing files the download names (never a folder or link)')
    .option('--allow-hidden', 'allow file or folder names starting with "." (refused by default)')
    .option('--upload-limit <rate>', 'cap upload speed to other getters, bytes/s with k, M or G suffix (e.g. 4M)', parseRate)
    .option('--timeout <duration>', 'give up (exit 124) if not complete by then, e.g. 30s, 10m, 1h (default: wait for the sharer forever)')
    .option('--json', 'one JSON event per line: metadata, checking, progress, waiting, peer-*, discovered, warning, done, stopped (with --seed also seeding, refused, error)')
    .addHelpText(
      'after',
      `
A link without an address (no x.pe) still works on the local network: the sharer is found
by its beacons (unless --no-lan) and in the DHT (unless --no-dht).

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
  const parsed = parseMagnetLink(magnetText);
  // A link naming relays but no address of the sharer's own (x.relay, no x.pe): the relays are
  // where it is reached, each dial to one a call through it to the sharer's key (relay hints).
  const relayOnly = parsed.peers.length === 0 && parsed.keyText !== undefined ? (parsed.relays ?? []) : [];
  const magnet = relayOnly.length > 0 ? { ...parsed, peers: relayOnly } : parsed;
  // Loading the engine overlaps reading the identity and trust and opening the listener.
  preloadEngine().catch(() => {}); // a failure surfaces where the client is created

  const timeoutMs = options.timeout === undefined ? undefined : parseDurationMs(options.timeout);
  const extraPeers = (options.peer ?? []).map(parsePeerOption);
  const context = openContext();
  checkSharerTrusted(context, magnet);
  // With the sharer's key, LAN beacons and the DHT can find it; without a key, or with both off, an address is needed.
  const isLan = isLanOn(options);
  const isDht = dhtSettings(options) !== undefined;
  const isDiscovering = magnet.keyText !== undefined && (isLan || isDht);
  if (magnet.peers.length === 0 && extraPeers.length === 0 && !isDiscovering) {
    throw errors.noAddressInLink(looksCutByShell(magnet));
  }
  const node = new SwarmNode({ identity: context.identity, trust: context.trust, host: options.host, port: options.port ?? 0, addressBook: KnownAddresses.load(context.home, (keyText) => context.trust.find(keyText) !== undefined), pinnedKeys: pinnedPeerKeys(context, extraPeers) });
  const router = new TorrentRouter(node);
  // --relay here: fall back on it to reach the sharer; with --seed, stay reachable through it once complete.
  const relaying = startRelaying(context, node, options, { register: false, isJson: !!options.json });
  if (magnet.keyText && magnet.relays) relaying.dialer.addRelays(decodeKeyText(magnet.keyText), magnet.relays);
  for (const relay of relayOnly) relaying.dialer.callThrough(decodeKeyText(magnet.keyText!), relay);
  const address = await node.listen().catch(async (error: unknown) => {
    relaying.close();
    await node.close();
    throw error;
  });
  const session = new GetSession({
    node: relaying.dialer,
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
    // With addresses to dial, their failures still end the get with the reason; with none,
    // discovery is the only way to the sharer, so get waits for it (until --timeout or Ctrl-C).
    isDiscovering: isDiscovering && magnet.peers.length === 0 && extraPeers.length === 0,
    searchingReason: `looking for it ${[isLan ? 'on the local network' : '', isDht ? 'in the DHT' : ''].filter(Boolean).join(' and ')}`,
  });
  const discovery = isDiscovering ? deferredDiscovery(session, magnet.peers.length + extraPeers.length > 0, () => startGetDiscovery(context, options, address.port, session, magnet, relaying)) : undefined;
  const reporter = new TransferReporter(session, { isJson: !!options.json, nameOf: (key) => nameOfKey(context, key) });
  const stopWaiting = watchWaiting(session, !!options.json);
  const stop = async () => {
    stopWaiting();
    reporter.stop();
    await discovery?.close();
    relaying.close();
    await session.close();
    await node.close();
  };
  const deadline = timeoutMs === undefined ? undefined : { ms: timeoutMs, text: options.timeout!.trim() };
  const outcome = await runUntilSignal(session, deadline).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  if (outcome !== 'done') {
    // Ctrl-C is the user's choice, not a failure: a closing line saying what is kept, exit 128 + signal.
    reporter.stopped();
    await stop();
    process.exitCode = signalExitCode(outcome);
    return;
  }
  reporter.done();
  if (options.seed) {
    const stopSeeding = reporter.seeding(address.port);
    discovery?.nudge();
    relaying.registerNow();
    const refusals = new RefusalReporter(node, { isJson: !!options.json });
    const signalling = untilSignal();
    // Only a seeder needs to be dialled from outside; a plain get dials out.
    const nat = await startPortMapping(options, address);
    session.on('peer-connected', ({ remoteHost, isInbound, isRelayed, isPunched }: { remoteHost: string; isInbound: boolean; isRelayed: boolean; isPunched: boolean }) => isInbound && nat?.noteInbound({ host: remoteHost, isRelayed, isPunched }));
    const signal = await signalling;
    await nat?.close();
    refusals.stop();
    stopSeeding();
    await stop();
    process.exitCode = signalExitCode(signal);
    return;
  }
  await stop();
}

/**
 * Looks for the sharer (and, on the LAN, other trusted holders of the share) on the LAN and
 * in the DHT, dialling each one found; once complete, announces the share too, for --seed.
 */
async function startGetDiscovery(context: CliContext, options: GetOptions, listenPort: number, session: GetSession, magnet: MagnetLink, relaying: Relaying) {
  const share = { infoHash: magnet.infoHash, sharerKey: decodeKeyText(magnet.keyText!) };
  const reporter = new DiscoveryReporter({ isJson: !!options.json, nameOf: (key) => nameOfKey(context, key) });
  const held = () => (session.snapshot().isDone ? [share] : []);
  const onPeer = (peer: DiscoveredPeer) => {
    if (peer.keyText !== magnet.keyText && !peer.infoHashes.includes(magnet.infoHash)) return;
    // A relay hint: the address is a relay the sharer is registered with; dials to it go through it.
    if (peer.isRelay) relaying.dialer.addRelayHint(peer.key, { host: peer.host, port: peer.port });
    session.addPeer({ host: peer.host, port: peer.port }, peer.keyText);
  };
  const lan = await startLanDiscovery(context, options, listenPort, reporter, { wanted: () => [share], held });
  lan?.on('peer', onPeer);
  // DHT lookups cost a walk each: none once complete.
  const dht = startDhtDiscovery(context, options, listenPort, reporter, { wanted: () => (session.snapshot().isDone ? [] : [share]), held, isLookingForRelays: true, isOwnRelay: relaying.isOwnRelay, relayHints: relaying.relayHints });
  dht?.on('peer', onPeer);
  return {
    close: async () => void (await Promise.all([lan?.close(), dht?.close()])),
    /** Complete, with --seed: announce the share in the DHT now rather than at the next round. */
    nudge: () => dht?.nudge(),
  };
}

/**
 * 'done', or the signal (SIGINT/SIGTERM) that came first: what is verified stays on disk.
 * When --timeout passes first, throws TIMED_OUT (exit 124) saying what is kept.
 */
async function runUntilSignal(session: GetSession, deadline?: { ms: number; text: string }): Promise<'done' | NodeJS.Signals> {
  const interrupted = untilSignal();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    if (deadline) timer = setTimeout(() => resolve('timed-out'), deadline.ms);
  });
  const running = session.run().then(() => 'done' as const);
  running.catch(() => {}); // after an interrupt nobody awaits it any more
  const outcome = await Promise.race([running, interrupted, timedOut]).finally(() => clearTimeout(timer));
  if (outcome !== 'timed-out') return outcome;
  const snap = session.snapshot();
  throw session.timedOutError(deadline!.text, `${formatBytes(snap.verified)} of ${formatBytes(snap.length)} verified and kept`);
}
