/**
 * What a direct upgrade (relay/hole-punch.ts) looks like to the user: with --json one
 * {"event":"direct",…} line per attempt, up or failed; on a terminal one line when a
 * transfer leaves the relay, and nothing when it stays on it (it keeps working as before).
 */
import type { EventEmitter } from 'node:events';
import { printJsonLine } from './json-output.js';
import { escapeTerminal } from './terminal-text.js';

interface DirectEventView {
  state: 'up' | 'failed';
  key: string;
  role: string;
  address?: string;
  attempts?: number;
  ms?: number;
  reason?: string;
}

export function reportDirectUpgrades(puncher: EventEmitter, options: { isJson: boolean; nameOf(keyText: string): string | undefined }): () => void {
  const onDirect = (event: DirectEventView) => {
    const name = options.nameOf(event.key);
    if (options.isJson) return printJsonLine({ event: 'direct', ...event, ...(name === undefined ? {} : { name }) });
    if (event.state !== 'up') return;
    process.stderr.write(`direct link to ${escapeTerminal(name ?? `${event.key.slice(0, 16)}…`)} at ${escapeTerminal(event.address ?? '?')}: off the relay\n`);
  };
  puncher.on('direct', onDirect);
  return () => puncher.off('direct', onDirect);
}
