/**
 * One error type for every failure a user can cause or fix. The CLI prints
 * `message` and `hint` as single lines and exits with `exitCode`; anything that is
 * not a SwarmError is a bug and is reported as one.
 */
export type ExitCode = 1 | 2;

export interface SwarmErrorOptions {
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
}

export class SwarmError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: SwarmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwarmError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function usageError(message: string, hint?: string): SwarmError {
  return new SwarmError('USAGE', message, { hint, exitCode: 2 });
}

export function isSwarmError(error: unknown): error is SwarmError {
  return error instanceof SwarmError;
}

/** The errno code of a Node system error, if it is one. */
export function systemErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
