/**
 * What `swarm get` says while it waits for a sharer that went away (or has not answered
 * yet) and keeps retrying: one line per wait on stderr, above the progress bar on a TTY,
 *
 *   alice went away — retrying (51 MiB kept); Ctrl-C to stop
 *
 * or a {"event":"waiting","peer":"alice","keptBytes":…,"reason":…} line with --json.
 */
import type { EventEmitter } from 'node:events';
import type { WaitingEvent } from '../share/get-session.js';
import { printJsonLine } from './json-output.js';
import { formatBytes } from './progress-format.js';
import { escapeTerminal } from './terminal-text.js';

export function formatWaiting(event: WaitingEvent): string {
  const who = escapeTerminal(event.peer);
  const kept = event.keptBytes > 0 ? ` (${formatBytes(event.keptBytes)} kept)` : '';
  const where = event.address && !event.peer.includes(event.address) ? ` at ${escapeTerminal(event.address)}` : '';
  const head = event.wasConnected ? `${who} went away` : `waiting for ${who}${where}: ${escapeTerminal(event.reason)}`;
  return `${head} — retrying${kept}; Ctrl-C to stop`;
}

export function watchWaiting(source: EventEmitter, isJson: boolean, stream: NodeJS.WriteStream = process.stderr): () => void {
  const onWaiting = (event: WaitingEvent) => {
    if (isJson) return printJsonLine({ event: 'waiting', peer: event.peer, key: event.key, address: event.address, keptBytes: event.keptBytes, wasConnected: event.wasConnected, reason: event.reason });
    // On a TTY, clear the bar's line first: the bar redraws itself below on its next tick.
    stream.write(`${stream.isTTY ? '\r\u001b[2K' : ''}${formatWaiting(event)}\n`);
  };
  source.on('waiting', onWaiting);
  return () => source.off('waiting', onWaiting);
}
