/**
 * Peer events of a transfer, as --json lines on stdout or short human lines on stderr.
 * Names come from our own trust store; keys are shown as given (key text is plain
 * base32, but everything is escaped anyway).
 */
import type { EventEmitter } from 'node:events';
import { PEER_EVENT_NAMES } from '../share/torrent-peers.js';
import { printJsonLine } from './json-output.js';
import { escapeTerminal } from './terminal-text.js';


/** `print` writes one human line (ShareReporter puts it above its status line). */
export function watchPeerEvents(
  source: EventEmitter,
  nameOf: (keyText: string) => string | undefined,
  isJson: boolean,
  print: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): void {
  for (const event of PEER_EVENT_NAMES) {
    source.on(event, (detail: { key?: string; reason?: string; address?: string; error?: unknown }) => {
      const name = detail.key ? nameOf(detail.key) : undefined;
      const reason = detail.reason ?? (detail.error instanceof Error ? detail.error.message : undefined);
      if (isJson) {
        printJsonLine({ event, key: detail.key, name, address: detail.address, reason });
        return;
      }
      // Connects and disconnects are the caller's to show (share names them); here only what went wrong.
      if (event === 'peer-dropped' || event === 'peer-refused') {
        const who = escapeTerminal(name ?? detail.key ?? 'peer');
        print(`${event === 'peer-dropped' ? 'dropped' : 'refused'} ${who}: ${escapeTerminal(reason ?? '')}`);
      }
    });
  }
}
