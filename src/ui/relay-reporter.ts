/**
 * What relays look like to the people using them and running them.
 * - A node using --relay: "registered with relay 203.0.113.5:7000", and each new problem
 *   with a relay once ("relay 203.0.113.5:7000: the relay … did not answer …"), or
 *   {"event":"relay",…} / {"event":"warning","code":…} lines with --json.
 * - `swarm relay`: a status line of counts (keys registered, streams, bytes relayed), and
 *   with --json one event per registration, stream and refusal: keys and byte counts only.
 */
import type { EventEmitter } from 'node:events';
import { isSwarmError } from '../errors.js';
import { printJsonLine } from './json-output.js';
import { formatBytes } from './progress-format.js';
import { escapeTerminal } from './terminal-text.js';

export interface RelayUserOutput {
  line(text: string): void;
  event(value: object): void;
}

const PROCESS_OUTPUT: RelayUserOutput = {
  line: (text) => process.stderr.write(`${text}\n`),
  event: (value) => printJsonLine(value),
};

/** Reports a RelayRegistration's events (registered, lost, relay-error); returns a stop function. */
export function reportRelayRegistration(registration: EventEmitter, isJson: boolean, output: RelayUserOutput = PROCESS_OUTPUT): () => void {
  const lastProblem = new Map<string, string>();
  const onRegistered = ({ relay }: { relay: string }) => {
    lastProblem.delete(relay);
    if (isJson) output.event({ event: 'relay', state: 'registered', relay });
    else output.line(`registered with relay ${escapeTerminal(relay)}`);
  };
  const onLost = ({ relay }: { relay: string }) => {
    if (isJson) output.event({ event: 'relay', state: 'lost', relay });
    else output.line(`lost the link to relay ${escapeTerminal(relay)}; redialling`);
  };
  const onError = ({ relay, error }: { relay: string; error: unknown }) => {
    const message = error instanceof Error ? error.message : String(error);
    if (lastProblem.get(relay) === message) return;
    lastProblem.set(relay, message);
    const code = isSwarmError(error) ? error.code : 'RELAY_FAILED';
    if (isJson) output.event({ event: 'warning', code, relay, message });
    else output.line(`relay ${escapeTerminal(relay)}: ${escapeTerminal(message)}; retrying`);
  };
  registration.on('registered', onRegistered);
  registration.on('lost', onLost);
  registration.on('relay-error', onError);
  return () => {
    registration.off('registered', onRegistered);
    registration.off('lost', onLost);
    registration.off('relay-error', onError);
  };
}

/**
 * A relay learned from a trusted peer (it offers to relay, and this node's port is not
 * reachable). `link`: the share's magnet now naming that relay (x.relay), to give friends.
 */
export function reportRelayLearned(relay: string, name: string | undefined, key: string, isJson: boolean, link?: string, output: RelayUserOutput = PROCESS_OUTPUT): void {
  if (isJson) output.event({ event: 'relay', state: 'learned', relay, key, name, ...(link ? { magnet: link } : {}) });
  else output.line(`this node cannot be reached directly: ${escapeTerminal(name ?? 'a trusted peer')} at ${escapeTerminal(relay)} relays for it${link ? `; the link to give friends is now:\n${link}` : ''}`);
}

export interface RelayCountsView {
  registered: number;
  streams: number;
  relayedBytes: number;
  refused: number;
}

export function formatRelayStatus(counts: RelayCountsView): string {
  return `relay: ${counts.registered} registered, ${counts.streams} stream${counts.streams === 1 ? '' : 's'}, ${formatBytes(counts.relayedBytes)} relayed, ${counts.refused} refused`;
}

type NameOf = (keyText: string) => string | undefined;

/** The operator's view of a RelayService: events as lines or JSON, plus a status line every `everyMs`. */
export function reportRelayService(service: EventEmitter & { counts(): RelayCountsView }, options: { isJson: boolean; nameOf: NameOf; everyMs?: number; output?: RelayUserOutput }): () => void {
  const output = options.output ?? PROCESS_OUTPUT;
  const label = (key: string) => escapeTerminal(options.nameOf(key) ?? `${key.slice(0, 16)}…`);
  const names = ['registered', 'unregistered', 'hints', 'stream-open', 'stream-closed', 'stream-refused'] as const;
  const handlers = names.map((name) => {
    const handler = (event: { key?: string; from?: string; to?: string; bytes?: number; reason?: string }) => {
      if (options.isJson) {
        const named = { ...event, ...(event.key ? { name: options.nameOf(event.key) } : {}), ...(event.from ? { fromName: options.nameOf(event.from) } : {}), ...(event.to && event.to.startsWith('swarm1') ? { toName: options.nameOf(event.to) } : {}) };
        return output.event({ event: name, ...named });
      }
      if (name === 'registered' || name === 'unregistered') return output.line(`${name} ${label(event.key!)}`);
      if (name === 'hints') return; // relay hints to announce: a count for --json, not worth a line
      if (name === 'stream-refused') return output.line(`refused a stream from ${label(event.key!)} -> ${escapeTerminal(event.to ?? '?')}: ${escapeTerminal(event.reason ?? '')}`);
      if (name === 'stream-open') return output.line(`stream ${label(event.from!)} -> ${label(event.to!)}`);
      output.line(`stream ${label(event.from!)} -> ${label(event.to!)} closed, ${formatBytes(event.bytes ?? 0)}`);
    };
    service.on(name, handler);
    return () => service.off(name, handler);
  });
  const timer = setInterval(() => {
    if (options.isJson) output.event({ event: 'status', ...service.counts() });
    else output.line(formatRelayStatus(service.counts()));
  }, options.everyMs ?? 10_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const off of handlers) off();
  };
}
