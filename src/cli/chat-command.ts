/**
 * `swarm chat`: a terminal chat among trusted peers. On a TTY it is a readline prompt
 * that incoming lines print above without garbling what you are typing; otherwise each
 * stdin line is sent and received messages are printed (one JSON event per line with
 * --json). Every string from a peer goes through escapeTerminal before printing.
 * With stdin not a TTY, end of input does not end the chat: the node keeps relaying
 * and receiving until SIGINT/SIGTERM or a /quit line.
 */
import { createInterface, clearLine, cursorTo, type Interface } from 'node:readline';
import type { Command } from 'commander';
import { isSwarmError, usageError } from '../errors.js';
import { ChatHistory } from '../chat/chat-history.js';
import { CHAT_HELP, parseChatInput } from '../chat/chat-input.js';
import { ChatSession, type ChatEntry, type ChatPeerInfo } from '../chat/chat-session.js';
import { fingerprint } from '../identity/key-text.js';
import { escapeTerminal } from '../ui/terminal-text.js';
import { layoutMessage } from '../ui/chat-lines.js';
import { toJsonLine } from '../ui/json-output.js';
import { SwarmNode } from '../net/swarm-node.js';
import { addNodeOptions, parsePeerAddress, type NodeOptions } from './node-options.js';
import { openContext, type CliContext } from './context.js';

interface ChatOptions extends NodeOptions {
  json?: boolean;
  history: string;
}

export function registerChatCommand(program: Command): void {
  const command = program
    .command('chat')
    .description('chat with the people you trust; messages are signed, relayed peer to peer, and kept in history');
  addNodeOptions(command);
  command
    .option('--json', 'one JSON event per line: ready, message, sent, peer-join, peer-leave, error')
    .option('--history <count>', 'how many past messages to show on start', '20')
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
  const peers = (options.peer ?? []).map(parsePeerAddress);
  const history = ChatHistory.open(context.home);
  const node = new SwarmNode({ identity: context.identity, trust: context.trust, host: options.host, port: options.port });
  const session = new ChatSession({ identity: context.identity, trust: context.trust, node, history, peers });
  const printer = new ChatPrinter(Boolean(options.json), session);
  session.on('message', (entry) => printer.message(entry));
  session.on('peer-join', (peer) => printer.peer('peer-join', peer));
  session.on('peer-leave', (peer) => printer.peer('peer-leave', peer));
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

/** All output of the chat: human lines (escaped) or JSON events. */
class ChatPrinter {
  private readline: Interface | undefined;
  private readonly isInteractive: boolean;
  private pending: string[] = [];

  constructor(private readonly json: boolean, private readonly session: ChatSession) {
    this.isInteractive = !json && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  }

  /** Reads lines; on a TTY, end of input (Ctrl-D) or Ctrl-C quits, otherwise EOF just stops reading. */
  openInput(onLine: (line: string) => void, onQuit: () => void): void {
    const rl = createInterface({
      input: process.stdin,
      output: this.isInteractive ? process.stdout : undefined,
      terminal: this.isInteractive,
      prompt: '> ',
    });
    this.readline = rl;
    rl.on('line', (line) => {
      onLine(line);
      // Not after /quit: prompting would resume stdin and keep the process alive.
      if (this.isInteractive && this.readline === rl) rl.prompt();
    });
    if (this.isInteractive) {
      rl.on('SIGINT', onQuit);
      rl.on('close', onQuit);
      rl.prompt();
    }
  }

  closeInput(): void {
    this.readline?.close();
    this.readline = undefined;
    // A paused pipe still holds the event loop open; we read no more input after quitting.
    if (!this.isInteractive) process.stdin.destroy();
  }

  ready(address: { host: string; port: number }, key: string, print: string): void {
    if (this.json) return this.event({ event: 'ready', host: address.host, port: address.port, key });
    this.line(`-- chatting as ${print} on ${address.host}:${address.port}; /help for commands --`);
  }

  message(entry: ChatEntry, fromHistory = false): void {
    if (this.json) {
      return this.event({
        event: 'message',
        from: entry.from,
        name: entry.name,
        text: entry.text,
        ts: entry.ts,
        id: entry.id,
        ...(entry.direct ? { direct: true, to: entry.to, toName: entry.toName } : {}),
        ...(fromHistory ? { history: true } : {}),
      });
    }
    const time = new Date(entry.ts).toTimeString().slice(0, 5);
    const who = entry.direct ? `${escapeTerminal(entry.name)} -> ${escapeTerminal(entry.toName ?? '?')} (direct)` : escapeTerminal(entry.name);
    // Wrapped by us, continuation lines marked: a padded or multi-line body cannot start a line like another author's.
    this.lines(layoutMessage(`${fromHistory ? '~' : ''}[${time}] ${who}: `, entry.text, this.columns()));
  }

  sent(entry: ChatEntry): void {
    if (this.json) {
      this.event({ event: 'sent', id: entry.id, text: entry.text, ts: entry.ts, ...(entry.direct ? { direct: true, to: entry.to } : {}) });
    } else if (entry.direct && this.isInteractive) {
      this.line(`(sealed for ${escapeTerminal(entry.toName ?? '?')} only)`);
    }
  }

  peer(event: 'peer-join' | 'peer-leave', peer: ChatPeerInfo): void {
    if (this.json) return this.event({ event, key: peer.key, name: peer.name, host: peer.host, port: peer.port });
    this.line(`* ${escapeTerminal(peer.name)} ${event === 'peer-join' ? 'connected' : 'disconnected'} (${escapeTerminal(peer.host)}:${peer.port})`);
  }

  dialError(address: string, message: string): void {
    if (this.json) return this.event({ event: 'dial-error', address, message });
    this.line(`* cannot reach ${escapeTerminal(address)} (${escapeTerminal(message)}); retrying in the background`);
  }

  peerList(peers: ChatPeerInfo[]): void {
    if (this.json) return this.event({ event: 'peers', peers });
    if (peers.length === 0) return this.line('* no peers connected');
    for (const peer of peers) {
      this.line(`* ${escapeTerminal(peer.name)}  ${escapeTerminal(peer.host)}:${peer.port}  ${peer.isInitiator ? 'outbound' : 'inbound'}`);
    }
  }

  trustList(entries: { name: string; key: string }[]): void {
    if (this.json) return this.event({ event: 'trust', peers: entries });
    if (entries.length === 0) return this.line('* you trust nobody yet: swarm trust add <key> --name <name>');
    const connected = new Set(this.session.peers().map((peer) => peer.key));
    for (const entry of entries) this.line(`* ${escapeTerminal(entry.name)}  ${entry.key}${connected.has(entry.key) ? '  (connected)' : ''}`);
  }

  help(): void {
    if (this.json) return this.event({ event: 'help', lines: CHAT_HELP });
    for (const text of CHAT_HELP) this.line(`  ${text}`);
  }

  error(message: string): void {
    if (this.json) return this.event({ event: 'error', message });
    this.line(`! ${escapeTerminal(message)}`);
  }

  private event(value: object): void {
    // Batched with the other output of this turn, so not printJsonLine; same escaping.
    this.write(`${toJsonLine(value)}\n`);
  }

  /**
   * Without a prompt to protect, output of one event-loop turn goes out in one write:
   * a relay printing thousands of messages a second would otherwise spend its time in
   * write syscalls.
   */
  private write(text: string): void {
    this.pending.push(text);
    if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.pending.length === 0) return;
    process.stdout.write(this.pending.join(''));
    this.pending = [];
  }

  private line(text: string): void {
    this.lines([text]);
  }

  /** Prints above the prompt and redraws it with whatever the user had typed. */
  private lines(texts: string[]): void {
    const text = `${texts.join('\n')}\n`;
    if (!this.isInteractive) {
      this.write(text);
      return;
    }
    if (!this.readline) {
      process.stdout.write(text);
      return;
    }
    clearLine(process.stdout, 0);
    cursorTo(process.stdout, 0);
    process.stdout.write(text);
    this.readline.prompt(true);
  }

  /** The terminal's width; piped output is wrapped too (it may be shown on a terminal later). */
  private columns(): number {
    return process.stdout.columns || Number(process.env.COLUMNS) || 80;
  }
}
