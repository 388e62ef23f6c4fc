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
import { RefusalReporter } from '../ui/refusal-reporter.js';
import { fingerprint } from '../identity/key-text.js';
import { SwarmNode } from '../net/swarm-node.js';
import { runChatConsole } from '../ui/chat-console.js';
import { ChatPrinter } from '../ui/chat-printer.js';
import { parseRate } from '../ui/parse-rate.js';
import { parseSize } from '../ui/parse-size.js';
import { openContext, type CliContext } from './context.js';
import { addNodeOptions, parsePeerOption, pinnedPeerKeys, type NodeOptions } from './node-options.js';
import { KnownAddresses } from '../identity/known-addresses.js';
import { untilSignal } from './until-signal.js';

interface ChatOptions extends NodeOptions {
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
  command
    .option('--json', 'one JSON event per line: ready, message, sent, peer-join, peer-leave, rate-limited, refused, error')
    .option('--history <count>', 'how many past messages to show on start', '20')
    .option('--history-max <size>', 'cap on the history file (k, M, G); older messages are dropped past it', '64M')
    .option('--author-rate <messages>', `messages per second accepted from one author (bursts of ${BURST_MESSAGE_SECONDS} s of it); the excess is dropped`, '20')
    .option('--author-bandwidth <rate>', `bytes per second accepted from one author (k, M, G; bursts of ${BURST_BYTE_SECONDS} s of it)`, '64k')
    .addHelpText(
      'after',
      `
Type /help inside the chat for commands (/msg <name> <text>, /peers, /trust, /quit).
Without a terminal, each stdin line is sent as a message (commands work too), and the
node keeps relaying after input ends, until SIGINT/SIGTERM or a /quit line.

Examples:
  $ swarm chat --port 7000
  $ swarm chat --peer 192.168.1.20:7000
  $ printf 'hello\\n' | swarm chat --peer 127.0.0.1:7000 --json`,
    )
    .action((options: ChatOptions) => runChat(openContext(), options));
}

interface ChatSettings {
  historyCount: number;
  historyMaxBytes: number;
  rateLimits: RateLimits;
  peers: { host: string; port: number }[];
}

function parseChatOptions(options: ChatOptions): ChatSettings {
  const historyCount = Number(options.history);
  if (!Number.isInteger(historyCount) || historyCount < 0) throw usageError(`--history must be a whole number, not "${options.history}"`);
  const historyMaxBytes = parseSize(options.historyMax, '--history-max');
  if (historyMaxBytes < MIN_HISTORY_MAX_BYTES) throw usageError(`--history-max must be at least ${MIN_HISTORY_MAX_BYTES / 1024}k`);
  const messagesPerSecond = Number(options.authorRate);
  if (!(messagesPerSecond > 0 && Number.isFinite(messagesPerSecond))) throw usageError(`--author-rate must be a positive number, not "${options.authorRate}"`);
  const limits = rateLimits(messagesPerSecond, parseRate(options.authorBandwidth));
  return { historyCount, historyMaxBytes, rateLimits: limits, peers: (options.peer ?? []).map(parsePeerOption) };
}

async function runChat(context: CliContext, options: ChatOptions): Promise<void> {
  const { historyCount, ...settings } = parseChatOptions(options);
  const { home, identity, trust } = context;
  const node = new SwarmNode({ identity, trust, host: options.host, port: options.port, addressBook: KnownAddresses.load(home), pinnedKeys: pinnedPeerKeys({ home, identity, trust }, settings.peers) });
  const chat = await openChat({ home, identity, trust, node, ...settings });
  const refusals = new RefusalReporter(node, { isJson: Boolean(options.json) });
  await runChatConsole({
    chat,
    printer: new ChatPrinter(Boolean(options.json), chat.session),
    historyCount,
    me: { key: identity.keyText, print: fingerprint(identity.publicKey) },
    trusted: () => trust.list().map((entry) => ({ name: entry.name, key: entry.key })),
    stop: untilSignal(),
  });
  refusals.stop();
}
