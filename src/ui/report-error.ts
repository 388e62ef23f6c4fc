/**
 * The one place that turns an error into what the user sees: a single line on
 * stderr. Expected failures (SwarmError) carry their own hint saying what to do
 * next; anything else is a bug, so it says so and shows the stack only when
 * SWARM_DEBUG is set.
 */
import { isSwarmError, type ExitCode } from '../errors.js';
import { escapeTerminal } from './terminal-text.js';

export function formatError(error: unknown): string {
  if (isSwarmError(error)) {
    const message = escapeTerminal(error.message);
    return error.hint ? `swarm: ${message} (hint: ${escapeTerminal(error.hint)})` : `swarm: ${message}`;
  }
  const message = escapeTerminal((error instanceof Error ? error.message : String(error)).split('\n')[0]!);
  return `swarm: internal error: ${message} (this is a bug in swarm; rerun with SWARM_DEBUG=1 to see where, and report it)`;
}

export function reportError(error: unknown): ExitCode {
  process.stderr.write(`${formatError(error)}\n`);
  if (!isSwarmError(error) && process.env.SWARM_DEBUG && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  return isSwarmError(error) ? error.exitCode : 1;
}
