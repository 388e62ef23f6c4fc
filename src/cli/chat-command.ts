/**
 * `swarm chat`: a terminal chat among trusted peers. On a TTY it is a readline prompt
 * that incoming lines print above without garbling what you are typing; otherwise each
 * stdin line is sent and received messages are printed (one JSON event per line with
 * --json). Every string from a peer goes through escapeTerminal before printing.
 * With stdin not a TTY, end of input does not end the chat: the node keeps relaying
 * and receiving until SIGINT/SIGTERM or a /quit line.
 */
import type { Command } from 'commander';
import { isSwarmError, usageError } from '../errors.js';
import { ChatHistory, DEFAULT_KEEP_RECENT, MIN_HISTORY_MAX_BYTES } from '../chat/chat-history.js';
import { BURST_BYTE_SECONDS, BURST_MESSAGE_SECONDS, rateLimits } from '../chat/author-rate-limit.js';
import { parseSize } from '../ui/parse-size.js';
import { parseRate } from '../ui/parse-rate.js';
import { parseChatInput } from '../chat/chat-input.js';
import { ChatSession } from '../chat/chat-session.js';
import { ChatPrinter } from './chat-printer.js';
import { fingerprint } from '../identity/key-text.js';
import { SwarmNode } from '../net/swarm-node.js';
import { addNodeOptions, parsePeerOption, type NodeOptions } from './node-options.js';
import { openContext, type CliContext } from './context.js';

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
    .option('--json', 'one JSON event per line: ready, message, sent, peer-join, peer-leave, rate-limited, error')
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

async function runChat(context: CliContext, options: ChatOptions): Promise<void> {
  const historyCount = Number(options.history);
  if (!Number.isInteger(historyCount) || historyCount < 0) throw usageError(`--history must be a whole number, not "${options.history}"`);
  const historyMaxBytes = parseSize(options.historyMax, '--history-max');
  if (historyMaxBytes < MIN_HISTORY_MAX_BYTES) throw usageError(`--history-max must be at least ${MIN_HISTORY_MAX_BYTES / 1024}k`);
  const messagesPerSecond = Number(options.authorRate);
  if (!(messagesPerSecond > 0 && Number.isFinite(messagesPerSecond))) throw usageError(`--author-rate must be a positive number, not "${options.authorRate}"`);
  const limits = rateLimits(messagesPerSecond, parseRate(options.authorBandwidth));
  const peers = (options.peer ?? []).map(parsePeerOption);
  const history = ChatHistory.open(context.home, DEFAULT_KEEP_RECENT, historyMaxBytes);
  const node = new SwarmNode({ identity: context.identity, trust: context.trust, host: options.host, port: options.port });
  const session = new ChatSession({ identity: context.identity, trust: context.trust, node, history, peers, rateLimits: limits });
  const printer = new ChatPrinter(Boolean(options.json), session);
  session.on('message', (entry) => printer.message(entry));
  session.on('peer-join', (peer) => printer.peer('peer-join', peer));
  session.on('peer-leave', (peer) => printer.peer('peer-leave', peer));
  session.on('rate-limited', (author) => printer.rateLimited(author));
  // Redials go on quietly: say once that an address is unreachable, again only after it worked.
  const unreachable = new Set<string>();
  session.on('dial-error', (address, error) => {
    if (unreachable.has(address)) return;
    unreachable.add(address);
    printer.dialError(address, error instanceof Error ? error.message : String(error));
  });
  session.on('peer-join', (peer) => {
    if (peer.isInitiator) unreachable.delete(`${peer.host}:${peer.port}`);
  });
  let address: { host: string; port: number };
  try {
    address = await node.listen();
  } catch (error) {
    await node.close();
    history.close();
    throw error;
  }
  // History and the ready line come first; links (and so live messages) start in the
  // same tick, before any connection can be handled.
  for (const entry of session.historyEntries(historyCount)) printer.message(entry, true);
  printer.ready(address, context.identity.keyText, fingerprint(context.identity.publicKey));
  session.start();

  await new Promise<void>((resolve, reject) => {
    let quitting = false;
    /** Ends the chat; with a bug's error, cli.ts reports it after a clean shutdown. */
    const quit = (failure?: unknown) => {
      if (quitting) return;
      quitting = true;
      printer.closeInput();
      void session
        .close()
        .then(() => node.close())
        .finally(() => {
          history.close();
          printer.flush();
          if (failure === undefined) resolve();
          else reject(failure);
        });
    };
    process.once('SIGINT', () => quit());
    process.once('SIGTERM', () => quit());
    printer.openInput((line) => {
      const input = parseChatInput(line);
      try {
        switch (input.kind) {
          case 'empty':
            return;
          case 'text':
            return printer.sent(session.send(input.text));
          case 'direct':
            return printer.sent(session.sendDirect(input.to, input.text));
          case 'peers':
            return printer.peerList(session.peers());
          case 'trust':
            return printer.trustList(context.trust.list().map((entry) => ({ name: entry.name, key: entry.key })));
          case 'help':
            return printer.help();
          case 'quit':
            return quit();
          case 'invalid':
            return printer.error(input.message);
        }
      } catch (error) {
        if (!isSwarmError(error)) return quit(error);
        printer.error(error.hint ? `${error.message} (${error.hint})` : error.message);
      }
    }, () => quit());
  });
}
