/**
 * Tells the person running `swarm share`, `swarm get --seed` or `swarm chat` that their
 * node turned a key away, with the command that would let it in:
 *
 *   refused 25ac:d086:4211 from 203.0.113.7: not trusted — to allow: swarm trust add swarm1…
 *
 * (or a {"event":"refused",…} line with --json). A peer that retries, or a stranger who
 * keeps trying, gets one line per key per minute; the keys remembered for that are capped.
 * A trust file that cannot be read while running (the node keeps the last good list) is
 * said once per problem (code and file).
 */
import type { EventEmitter } from 'node:events';
import { isSwarmError } from '../errors.js';
import type { Refusal, RefusalCode } from '../net/swarm-node.js';
import { printJsonLine } from './json-output.js';
import { formatError } from './report-error.js';
import { escapeTerminal } from './terminal-text.js';

export const REFUSAL_REPEAT_MS = 60_000;
export const MAX_REMEMBERED_KEYS = 1024;
const MAX_REMEMBERED_TRUST_ERRORS = 16;

/**
 * Keys this node authenticated and turned away as untrusted, when they dialled us (our own
 * failed dials are reported by whoever dialled). A trusted key refused a channel
 * (CHANNEL_REFUSED: a duplicate link, a key outside --allow) is left to the owner of that
 * channel, which already reports it as peer-refused, and happens in normal operation.
 */
const SHOWN_CODES: ReadonlySet<RefusalCode> = new Set<RefusalCode>(['UNTRUSTED_PEER']);

export interface ReporterOutput {
  line(text: string): void;
  event(value: object): void;
}

export interface RefusalReporterOptions {
  isJson: boolean;
  repeatMs?: number;
  maxRememberedKeys?: number;
  now?: () => number;
  output?: ReporterOutput;
}

const PROCESS_OUTPUT: ReporterOutput = {
  line: (text) => process.stderr.write(`${text}\n`),
  event: (value) => printJsonLine(value),
};

/** "::ffff:203.0.113.7" -> "203.0.113.7": how people write an IPv4 address. */
export function displayAddress(host: string): string {
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice('::ffff:'.length) : host;
}

export function formatRefusal(refusal: Required<Pick<Refusal, 'keyText' | 'fingerprint' | 'reason'>> & Refusal): string {
  const head = `refused ${refusal.fingerprint} from ${escapeTerminal(displayAddress(refusal.remoteHost))}: ${escapeTerminal(refusal.reason)}`;
  return refusal.code === 'UNTRUSTED_PEER' ? `${head} — to allow: swarm trust add ${refusal.keyText}` : head;
}

export class RefusalReporter {
  // Key text -> when its last line was shown; insertion order is oldest first.
  private readonly shownAtMs = new Map<string, number>();
  private readonly trustErrorsShown = new Set<string>();
  private readonly output: ReporterOutput;
  private readonly onRefused = (refusal: Refusal) => this.refused(refusal);
  private readonly onTrustError = (error: unknown) => this.trustError(error);

  constructor(private readonly node: EventEmitter, private readonly options: RefusalReporterOptions) {
    this.output = options.output ?? PROCESS_OUTPUT;
    node.on('refused', this.onRefused);
    node.on('trust-error', this.onTrustError);
  }

  stop(): void {
    this.node.off('refused', this.onRefused);
    this.node.off('trust-error', this.onTrustError);
  }

  private refused(refusal: Refusal): void {
    if (refusal.isInbound && refusal.code === 'PROTOCOL_VERSION') return this.oldVersion(refusal);
    const { keyText, fingerprint, reason } = refusal;
    if (!refusal.isInbound || !SHOWN_CODES.has(refusal.code) || !keyText || !fingerprint || !reason) return;
    const nowMs = (this.options.now ?? Date.now)();
    const lastMs = this.shownAtMs.get(keyText);
    if (lastMs !== undefined && nowMs - lastMs < (this.options.repeatMs ?? REFUSAL_REPEAT_MS)) return;
    this.remember(keyText, nowMs);
    if (this.options.isJson) {
      this.output.event({ event: 'refused', key: keyText, fingerprint, address: displayAddress(refusal.remoteHost), reason });
    } else {
      this.output.line(formatRefusal({ ...refusal, keyText, fingerprint, reason }));
    }
  }

  /**
   * A v1 node dialled us: it gets silence (handshake v2), so only this side can say why.
   * One line per address per minute, like keys.
   */
  private oldVersion(refusal: Refusal): void {
    const address = displayAddress(refusal.remoteHost);
    const nowMs = (this.options.now ?? Date.now)();
    const lastMs = this.shownAtMs.get(`v1 ${address}`);
    if (lastMs !== undefined && nowMs - lastMs < (this.options.repeatMs ?? REFUSAL_REPEAT_MS)) return;
    this.remember(`v1 ${address}`, nowMs);
    if (this.options.isJson) this.output.event({ event: 'refused', address, reason: 'swarm protocol v1' });
    else this.output.line(`refused a swarm protocol v1 node from ${escapeTerminal(address)}: this node speaks v2; the other side needs to upgrade swarm`);
  }

  private remember(keyText: string, nowMs: number): void {
    this.shownAtMs.delete(keyText);
    this.shownAtMs.set(keyText, nowMs);
    const maxKeys = this.options.maxRememberedKeys ?? MAX_REMEMBERED_KEYS;
    for (const oldest of this.shownAtMs.keys()) {
      if (this.shownAtMs.size <= maxKeys) break;
      this.shownAtMs.delete(oldest);
    }
  }

  private trustError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // Once per kind of problem with a file: a file rewritten while still damaged says
    // nothing new, even when the parser's words for it change.
    const problem = isSwarmError(error) ? `${error.code} ${error.path ?? ''}` : message;
    if (this.trustErrorsShown.has(problem) || this.trustErrorsShown.size >= MAX_REMEMBERED_TRUST_ERRORS) return;
    this.trustErrorsShown.add(problem);
    if (!this.options.isJson) return this.output.line(formatError(error));
    this.output.event({ event: 'error', code: isSwarmError(error) ? error.code : undefined, message, hint: isSwarmError(error) ? error.hint : undefined });
  }
}
