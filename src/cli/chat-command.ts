/**
 * `swarm chat`: a terminal chat among trusted peers. On a TTY it is a readline prompt
 * that incoming lines print above without garbling what you are typing; otherwise each
 * stdin line is sent and received messages are printed (one JSON event per line with
 * --json). Every string from a peer goes through escapeTerminal before printing.
 * With stdin not a TTY, end of input does not end the chat: the node keeps relaying
 * and receiving until SIGINT/SIGTERM or a /quit line.
 */
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { MIN_HISTORY_MAX_BYTES } from '../chat/chat-history.js';
import { BURST_BYTE_SECONDS, BURST_MESSAGE_SECONDS, rateLimits, type RateLimits } from '../chat/author-rate-limit.js';
import { openChat } from '../chat/open-chat.js';
import { parsePeerAddress, plainHost, type PeerAddress } from '../net/peer-address.js';
import { RefusalReporter } from '../ui/refusal-reporter.js';
import { decodeKeyText, fingerprint } from '../identity/key-text.js';
import { DEFAULT_PORT, SwarmNode } from '../net/swarm-node.js';
import { runChatConsole } from '../ui/chat-console.js';
import { ChatPrinter } from '../ui/chat-printer.js';
import { parseRate } from '../ui/parse-rate.js';
import { parseSize } from '../ui/parse-size.js';
import { openContext, type CliContext } from './context.js';
import { addNodeOptions, parsePeerOption, pinnedPeerKeys, type NodeOptions, type PeerOption } from './node-options.js';
import { KnownAddresses } from '../identity/known-addresses.js';
import { untilSignal } from './until-signal.js';
import { addDiscoveryOptions, dhtSettings, isLanOn, startDhtDiscovery, startLanDiscovery, type DiscoveryOptions } from './discovery-options.js';
import { DiscoveryReporter } from '../ui/discovery-reporter.js';
import type { DiscoveredPeer } from '../discovery/lan-discovery.js';
import { addNatOption, startPortMapping, type NatOptions } from './nat-options.js';
import { addRelayOptions, learnRelaysWhenUnreachable, startRelaying, type RelayOptions } from './relay-options.js';
import { ownRelayHintKeys } from '../discovery/dht-relay-keys.js';
import { PairSecrets } from '../identity/pair-secret.js';
import type { RelayDialer } from '../relay/relay-dialer.js';

interface ChatOptions extends NodeOptions, DiscoveryOptions, NatOptions, RelayOptions {
  json?: boolean;
  history: string;
  historyMax: string;
  authorRate: string;
  authorBandwidth: string;
}

export function registerChatCommand(program: Command): void {
  const command = program
    .command('chat')
    .description('chat with the people you trust; messages are signed, relayed peer to peer, and kept in history');
  addNodeOptions(command);
  addDiscoveryOptions(command);
  addNatOption(command);
  addRelayOptions(command, true);
  command
    .option('--json', 'one JSON event per line: warning, ready, message, sent, peer-join, peer-leave, discovered, rate-limited, refused, error')
    .option('--history <count>', 'how many past messages to show on start', '20')
    .option('--history-max <size>', 'cap on the history file (k, M, G); older messages are dropped past it', '64M')
    .option('--author-rate <messages>', `messages per second accepted from one author (bursts of ${BURST_MESSAGE_SECONDS} s of it); the excess is dropped`, '20')
    .option('--author-bandwidth <rate>', `bytes per second accepted from one author (k, M, G; bursts of ${BURST_BYTE_SECONDS} s of it)`, '64k')
    .addHelpText(
      'after',
      `
Without --peer, trusted peers on the local network are found by their beacons and linked
(unless --no-lan), and those elsewhere through the Mainline DHT (unless --no-dht); with
--peer too.

Type /help inside the chat for commands (/msg <name> <text>, /peers, /trust, /quit).
Without a terminal, each stdin line is sent as a message (commands work too), and the
node keeps relaying after input ends, until SIGINT/SIGTERM or a /quit line.

Examples:
  $ swarm chat --port 7000
  $ swarm chat --peer 192.168.1.20:7000
  $ swarm chat --peer alice          (once alice has been linked before: her last address)
  $ printf 'hello\\n' | swarm chat --peer 127.0.0.1:7000 --json`,
    )
    .action((options: ChatOptions) => runChat(openContext(), options));
}

interface ChatSettings {
  historyCount: number;
  historyMaxBytes: number;
  rateLimits: RateLimits;
  /** Raw --peer values: host[:port], or a trusted name (resolved once the trust store is open). */
  peerTexts: string[];
}

function parseChatOptions(options: ChatOptions): ChatSettings {
  const historyCount = Number(options.history);
  if (!Number.isInteger(historyCount) || historyCount < 0) throw usageError(`--history must be a whole number, not "${options.history}"`);
  const historyMaxBytes = parseSize(options.historyMax, '--history-max');
  if (historyMaxBytes < MIN_HISTORY_MAX_BYTES) throw usageError(`--history-max must be at least ${MIN_HISTORY_MAX_BYTES / 1024}k`);
  const messagesPerSecond = Number(options.authorRate);
  if (!(messagesPerSecond > 0 && Number.isFinite(messagesPerSecond))) throw usageError(`--author-rate must be a positive number, not "${options.authorRate}"`);
  const limits = rateLimits(messagesPerSecond, parseRate(options.authorBandwidth));
  return { historyCount, historyMaxBytes, rateLimits: limits, peerTexts: options.peer ?? [] };
}

/**
 * A --peer value: host:port as written, a trusted name at its last known address (and the
 * link must then prove that name's key), or a host alone on the default port.
 */
function resolvePeer(text: string, context: CliContext, known: KnownAddresses): PeerOption & { keyText?: string } {
  // name@host:port and swarm1…@host:port name the key at an address: parsePeerOption's job.
  if (text.includes('@')) return parsePeerOption(text);
  const written = parsePeerAddress(text);
  if (written) return written;
  const entry = context.trust.find(text.trim());
  if (!entry) return parsePeerOption(text);
  const address = known.dialAddressOf(entry.key, DEFAULT_PORT);
  if (!address) {
    throw usageError(`no known address for ${entry.name} yet`, `connect once with --peer host:port (or have ${entry.name} connect to you); swarm remembers where trusted peers were reached`);
  }
  return { ...address, keyText: entry.key };
}

async function runChat(context: CliContext, options: ChatOptions): Promise<void> {
  const { historyCount, peerTexts, ...settings } = parseChatOptions(options);
  isLanOn(options); // a bad SWARM_LAN_* setting is a usage error before anything starts
  dhtSettings(options); // and so is a bad --dht-bootstrap
  const { home, identity, trust } = context;
  const known = KnownAddresses.load(home, (keyText) => trust.find(keyText) !== undefined);
  const peers = peerTexts.map((text) => resolvePeer(text, context, known));
  const node = new SwarmNode({ identity, trust, host: options.host, port: options.port, addressBook: known, pinnedKeys: pinnedPeerKeys(context, peers) });
  // Our relays announce our presence relay keys in the DHT (relay hints), so peers find us through them.
  const pairs = new PairSecrets(identity.secretKey);
  const hints = () => ownRelayHintKeys({ identity, pairs, held: [], presenceWith: trust.list().map((entry) => entry.publicKey).filter((key) => trust.allows(key)), nowMs: Date.now() });
  const relaying = startRelaying(context, node, options, { register: true, isJson: Boolean(options.json), hints });
  const chat = await openChat({ home, identity, trust, node: relaying.dialer, peers, ...settings }).catch((error: unknown) => {
    relaying.close();
    throw error;
  });
  // Where each peer was reached, for `--peer <name>` next time; a cache, so a failed write only costs that.
  chat.session.on('peer-join', (peer) => {
    if (peer.via !== undefined) return; // the relay's address is not the peer's
    try {
      known.remember(peer.key, plainHost(peer.host), peer.isInitiator ? peer.port : undefined);
    } catch {
      // SWARM_HOME unwritable: the chat's history error says so; nothing to add here.
    }
  });
  // Trusted peers we dialled may relay for us if our port turns out unreachable (relay-learner.ts).
  chat.session.on('peer-join', (peer) => peer.isInitiator && peer.via === undefined && relaying.considerPeer(decodeKeyText(peer.key), peer.host, peer.port));
  const refusals = new RefusalReporter(node, { isJson: Boolean(options.json) });
  const chatDone = runChatConsole({
    chat,
    printer: new ChatPrinter(Boolean(options.json), chat.session),
    historyCount,
    me: { key: identity.keyText, print: fingerprint(identity.publicKey) },
    // --port given: the user chose; without it, a taken default port is warned about.
    defaultPort: options.port === undefined ? DEFAULT_PORT : undefined,
    trusted: () => trust.list().map((entry) => ({ name: entry.name, key: entry.key })),
    stop: untilSignal(),
  });
  // After runChatConsole has started the session (it does so before returning), so a found peer's link is handled.
  const reporter = new DiscoveryReporter({ isJson: Boolean(options.json), nameOf: (key) => trust.find(key)?.name });
  const discovery = await startLanDiscovery(context, options, chat.address.port, reporter);
  if (discovery) linkFoundPeers(discovery, chat.session, identity.keyText, relaying.dialer);
  // Presence in the DHT: each trusted peer online finds this node under their pair's key of the day.
  const dht = startDhtDiscovery(context, options, chat.address.port, reporter, { isPresence: true, isLookingForRelays: true, isOwnRelay: relaying.isOwnRelay, relayHints: relaying.relayHints });
  if (dht) linkFoundPeers(dht, chat.session, identity.keyText, relaying.dialer);
  relaying.onNewHints(() => dht?.nudge());
  const natOutcome: { isFailed?: boolean } = {};
  const nat = await startPortMapping(options, chat.address, natOutcome);
  chat.session.on('peer-join', (peer) => !peer.isInitiator && nat?.noteInbound({ host: peer.host, isRelayed: peer.via !== undefined, isPunched: false }));
  const stopLearning = learnRelaysWhenUnreachable(relaying, nat, natOutcome);
  try {
    await chatDone;
  } finally {
    stopLearning();
    relaying.close();
    await Promise.all([discovery?.close(), dht?.close()]);
    await nat?.close();
  }
  refusals.stop();
}

/**
 * Links each trusted peer the LAN or the DHT finds. Both sides hear each other, so only the one with
 * the smaller key dials at first; the other dials when it hears the same peer again while
 * still unlinked (its beacons may not reach the first one).
 */
function linkFoundPeers(discovery: { on(event: 'peer', listener: (peer: DiscoveredPeer) => void): unknown }, session: { linkTo(host: string, port: number, keyText: string): void }, ownKeyText: string, dialer: RelayDialer): void {
  const heardOnce = new Set<string>();
  discovery.on('peer', (peer) => {
    // A relay hint: the peer is reachable only through that relay; the dial goes through it.
    if (peer.isRelay) dialer.addRelayHint(peer.key, { host: peer.host, port: peer.port });
    if (peer.keyText < ownKeyText || heardOnce.has(peer.keyText)) session.linkTo(peer.host, peer.port, peer.keyText);
    else heardOnce.add(peer.keyText); // bounded: only trusted keys are ever found
  });
}
