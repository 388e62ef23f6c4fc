// All output of `swarm chat`: human lines (every peer string escaped, messages laid out
// by chat-lines.ts) above a readline prompt on a TTY, plain lines on a pipe, or one JSON
// event per line with --json.
import { createInterface, clearLine, cursorTo, type Interface } from 'node:readline';
import { CHAT_HELP } from '../chat/chat-input.js';
import type { ChatEntry, ChatPeerInfo, ChatSession, RelayedPeer } from '../chat/chat-session.js';
import type { ListenAddress } from '../chat/open-chat.js';
import { formatPeerAddress, plainHost } from '../net/peer-address.js';
import { friendAddresses } from './listen-addresses.js';
import { formatElapsed } from './progress-format.js';
import { escapeTerminal } from './terminal-text.js';
import { layoutMessage } from './chat-lines.js';
import { toJsonLine } from './json-output.js';

/** All output of the chat: human lines (escaped) or JSON events. */
export class ChatPrinter {
  private readline: Interface | undefined;
  private readonly isInteractive: boolean;
  private pending: string[] = [];
  /** Whether the last message printed was catch-up from a peer (the marker is said once per run of them). */
  private inBacklog = false;

  constructor(private readonly json: boolean, private readonly session: Pick<ChatSession, 'snapshot'>) {
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

  /**
   * Who we are and where friends should dial us; first, loudly, when the default port was
   * taken (a friend's firewall rule or --peer for it would reach nobody).
   */
  ready(address: ListenAddress, key: string, print: string, defaultPort?: number): void {
    const reach = friendAddresses(address.host, address.port);
    if (address.isFallbackPort && defaultPort !== undefined) {
      const message = `port ${defaultPort} is taken; listening on ${address.port} instead — friends dialling ${defaultPort} (or a firewall rule for it) will not reach you (--port chooses the port and fails if it is taken; --port 0 picks any)`;
      if (this.json) this.event({ event: 'warning', code: 'PORT_FALLBACK', message, requestedPort: defaultPort, port: address.port });
      else this.line(`warning: ${message}`);
    }
    if (this.json) return this.event({ event: 'ready', host: address.host, port: address.port, key, fingerprint: print, addresses: [...reach.network, ...reach.local] });
    this.line(`-- chatting as ${print} on ${formatPeerAddress(address)}; /help for commands --`);
    // Short lines: a banner that wraps on an 80-column terminal is hard to read and copy from.
    if (reach.network.length > 0) this.line(`-- friends connect with: swarm chat --peer ${reach.network.join(' or ')} --`);
    if (reach.local.length > 0) this.line(`-- on this machine: swarm chat --peer ${reach.local.join(' or ')} --`);
    this.line('-- they see you by the name they gave your key --');
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
        ...(entry.backlog ? { backlog: true } : {}),
      });
    }
    if (entry.backlog && !this.inBacklog) this.line('-- earlier messages --');
    this.inBacklog = entry.backlog === true;
    const time = new Date(entry.ts).toTimeString().slice(0, 5);
    const who = entry.direct ? `${escapeTerminal(entry.name)} -> ${escapeTerminal(entry.toName ?? '?')} (direct)` : escapeTerminal(entry.name);
    // Wrapped by us, continuation lines marked: a padded or multi-line body cannot start a line like another author's.
    this.lines(layoutMessage(`${fromHistory ? '~' : ''}[${time}] ${who}: `, entry.text, this.columns()));
  }

  sent(entry: ChatEntry): void {
    // Kept in history and handed over as catch-up when someone links; say so, or it looks lost.
    const isQueued = this.session.snapshot().peers.length === 0;
    if (this.json) {
      this.event({ event: 'sent', id: entry.id, text: entry.text, ts: entry.ts, ...(entry.direct ? { direct: true, to: entry.to } : {}), ...(isQueued ? { queued: true } : {}) });
      return;
    }
    if (entry.direct && this.isInteractive) this.line(`(sealed for ${escapeTerminal(entry.toName ?? '?')} only)`);
    if (isQueued) this.line('(queued: nobody is connected)');
  }

  peer(event: 'peer-join' | 'peer-leave', peer: ChatPeerInfo): void {
    if (this.json) return this.event({ event, key: peer.key, name: peer.name, host: peer.host, port: peer.port, ...(peer.via ? { via: peer.via } : {}), ...(peer.wasRemoved ? { removed: true } : {}) });
    if (peer.wasRemoved) return this.line(`* ${escapeTerminal(peer.name)} disconnected: removed from your trust list`);
    this.line(`* ${escapeTerminal(peer.name)} ${event === 'peer-join' ? 'connected' : 'disconnected'} (${peerAddressText(peer)})`);
  }

  /** Once per author: what they send over the limit is dropped from now on. */
  rateLimited(author: { key: string; name: string }): void {
    if (this.json) return this.event({ event: 'rate-limited', key: author.key, name: author.name });
    this.line(`* ${escapeTerminal(author.name)} is sending too fast: what they send over the rate limit is dropped (not shown, kept or relayed)`);
  }

  /** Messages of an author that no peer could give us (a gap in what we will ever see). */
  missing(author: { key: string; name: string }, count: number): void {
    if (this.json) return this.event({ event: 'missing', from: author.key, name: author.name, count });
    this.line(`* ${count} message${count === 1 ? '' : 's'} from ${escapeTerminal(author.name)} ${count === 1 ? 'is' : 'are'} missing (older than the peers' history window, or more than a catch-up carries)`);
  }

  dialError(address: string, message: string): void {
    if (this.json) return this.event({ event: 'dial-error', address, message });
    this.line(`* cannot reach ${escapeTerminal(address)} (${escapeTerminal(message)}); retrying in the background`);
  }

  /** `/peers`: who is linked directly (and which way), then who is heard only through whom. */
  peerList(peers: ChatPeerInfo[], relayed: RelayedPeer[] = []): void {
    if (this.json) return this.event({ event: 'peers', peers, relayed });
    if (peers.length === 0) this.line('* no peers connected');
    for (const peer of peers) {
      this.line(`* ${escapeTerminal(peer.name)}  ${peerAddressText(peer)}  direct (${peer.isInitiator ? 'you dialled' : 'dialled you'})`);
    }
    const nowMs = Date.now();
    for (const peer of relayed) {
      this.line(`* ${escapeTerminal(peer.name)}  via ${escapeTerminal(peer.viaName)}  (last heard ${formatElapsed(nowMs - peer.lastHeardMs)} ago)`);
    }
  }

  trustList(entries: { name: string; key: string }[]): void {
    if (this.json) return this.event({ event: 'trust', peers: entries });
    if (entries.length === 0) return this.line('* you trust nobody yet: swarm trust add <key> --name <name>');
    const connected = new Set(this.session.snapshot().peers.map((peer) => peer.key));
    for (const entry of entries) this.line(`* ${escapeTerminal(entry.name)}  ${entry.key}${connected.has(entry.key) ? '  (connected)' : ''}`);
  }

  help(): void {
    if (this.json) return this.event({ event: 'help', lines: CHAT_HELP });
    for (const text of CHAT_HELP) this.line(`  ${text}`);
  }

  error(message: string, code?: string): void {
    if (this.json) return this.event({ event: 'error', message, ...(code ? { code } : {}) });
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

/** A peer's address as people read it: plain IPv4, and the port only when it is where the peer listens (we dialled it). */
function peerAddressText(peer: ChatPeerInfo): string {
  if (peer.via !== undefined) return `through relay ${escapeTerminal(peer.via)}`;
  const host = escapeTerminal(plainHost(peer.host));
  return peer.isInitiator ? formatPeerAddress({ host, port: peer.port }) : host;
}
