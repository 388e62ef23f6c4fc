/**
 * Every failure a user can cause or fix, in one catalogue: `errors.x(...)` builds a
 * SwarmError (errors/swarm-error.ts) with a `code`, a `hint` and typed data. The factories
 * live by domain in errors/; this entry joins them into the one `errors` object, so callers
 * need not know which group a failure belongs to, and re-exports the type and its helpers.
 * (Style of holepunchto/hyperdht lib/errors.js: one class, factories.)
 * Nothing here or in errors/ imports from the rest of src/, so every layer may use it.
 */
import { chatErrors } from './errors/chat-errors.js';
import { cliErrors } from './errors/cli-errors.js';
import { connectionErrors } from './errors/connection-errors.js';
import { identityErrors } from './errors/identity-errors.js';
import { transferErrors } from './errors/transfer-errors.js';

export {
  ERROR_CODES, SwarmError, hasErrorCode, isPermanentError, isSwarmError, systemErrorCode,
  type ErrorCode, type ErrorData, type ExitCode, type KeyData, type SwarmErrorOptions, type SwarmErrorWith,
} from './errors/swarm-error.js';
export { usageError } from './errors/cli-errors.js';

export const errors = {
  ...cliErrors,
  ...identityErrors,
  ...connectionErrors,
  ...transferErrors,
  ...chatErrors,
};
