/** The CLI's own failures: a command line it cannot use (exit 2), and a demo that did not complete. */
import { makeError, type SwarmError } from './swarm-error.js';

export const cliErrors = {
  usage: (message: string, hint?: string) => makeError('USAGE', message, { hint, exitCode: 2 }),
  demoFailed: (message: string, hint?: string) => makeError('DEMO_FAILED', message, { hint }),
};

export function usageError(message: string, hint?: string): SwarmError<'USAGE'> {
  return cliErrors.usage(message, hint);
}
