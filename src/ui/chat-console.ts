// The terminal side of a running chat: history and the ready line first, then session
// events to the printer, and each input line as a message, a direct message or a command,
// until /quit, the end of a terminal's input, or `stop` (SIGINT/SIGTERM).
import { isSwarmError } from '../errors.js';
import { parseChatInput } from '../chat/chat-input.js';
import type { ChatSession } from '../chat/chat-session.js';
import type { OpenChat } from '../chat/open-chat.js';
import type { ChatPrinter } from './chat-printer.js';

export interface ChatConsoleOptions {
  chat: Pick<OpenChat, 'session' | 'address' | 'start' | 'close'>;
  printer: ChatPrinter;
  /** How many past messages to show before the ready line. */
  historyCount: number;
  /** Our key text and its fingerprint, for the ready line. */
  me: { key: string; print: string };
  /** The port used without --port: the ready line warns when another had to be taken. */
  defaultPort?: number;
  /** What /trust lists. */
  trusted(): { name: string; key: string }[];
  /** Ends the chat when it settles. */
  stop: Promise<unknown>;
}

/** Runs the chat to its end; a bug's error rejects, after a clean shutdown. */
export function runChatConsole(options: ChatConsoleOptions): Promise<void> {
  const { chat, printer } = options;
  followChat(chat.session, printer);
  // History and the ready line come first; links (and so live messages) start in the
  // same tick, before any connection can be handled.
  for (const entry of chat.session.historyEntries(options.historyCount)) printer.message(entry, true);
  printer.ready(chat.address, options.me.key, options.me.print, options.defaultPort);
  chat.start();

  return new Promise<void>((resolve, reject) => {
    let quitting = false;
    const quit = (failure?: unknown) => {
      if (quitting) return;
      quitting = true;
      printer.closeInput();
      void chat.close().finally(() => {
        printer.flush();
        if (failure === undefined) resolve();
        else reject(failure);
      });
    };
    void options.stop.then(() => quit());
    printer.openInput((line) => {
      try {
        if (runLine(line, chat.session, printer, options.trusted) === 'quit') quit();
      } catch (error) {
        if (!isSwarmError(error)) return quit(error);
        printer.error(error.hint ? `${error.message} (${error.hint})` : error.message);
      }
    }, () => quit());
  });
}

/** Session events to the printer; an unreachable --peer is said once, again only after it linked. */
function followChat(session: ChatSession, printer: ChatPrinter): void {
  session.on('message', (entry) => printer.message(entry));
  session.on('peer-join', (peer) => printer.peer('peer-join', peer));
  session.on('peer-leave', (peer) => printer.peer('peer-leave', peer));
  session.on('rate-limited', (author) => printer.rateLimited(author));
  session.on('missing', (author, count) => printer.missing(author, count));
  session.on('history-error', (error) => printer.error(error.hint ? `${error.message}; ${error.hint}` : error.message, error.code));
  const unreachable = new Set<string>();
  session.on('dial-error', (address, error) => {
    if (unreachable.has(address)) return;
    unreachable.add(address);
    printer.dialError(address, error instanceof Error ? error.message : String(error));
  });
  session.on('peer-join', (peer) => {
    if (peer.isInitiator) unreachable.delete(`${peer.host}:${peer.port}`);
  });
}

/** One input line; a SwarmError (unknown name, too long) is the user's to read. */
function runLine(line: string, session: ChatSession, printer: ChatPrinter, trusted: () => { name: string; key: string }[]): 'quit' | void {
  const input = parseChatInput(line);
  switch (input.kind) {
    case 'empty':
      return;
    case 'text':
      return printer.sent(session.send(input.text));
    case 'direct':
      return printer.sent(session.sendDirect(input.to, input.text));
    case 'peers':
      return printer.peerList(session.snapshot().peers, session.snapshot().relayed);
    case 'trust':
      return printer.trustList(trusted());
    case 'help':
      return printer.help();
    case 'quit':
      return 'quit';
    case 'invalid':
      return printer.error(input.message);
  }
}
