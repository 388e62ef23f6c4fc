/**
 * The one error type: a SwarmError's `code` is one of ERROR_CODES and its data (the key,
 * the address, the path, the reason) travels as typed fields, so callers branch on `code`
 * and read `keyText` instead of parsing the message. The CLI prints `message` and `hint` as
 * single lines and exits with `exitCode`; anything that is not a SwarmError is a bug and is
 * reported as one. The factories that build them are grouped by domain beside this file and
 * joined in errors.ts. This module imports nothing, so every layer may use it.
 */
/** 124 (as timeout(1) uses): `swarm get --timeout` passed before the download completed. */
export type ExitCode = 1 | 2 | 124;

export const ERROR_CODES = [
  'USAGE',
  // identity/: keys, the identity file, the trust store
  'BAD_KEY', 'OWN_KEY', 'CORRUPT_IDENTITY', 'CORRUPT_TRUST', 'TRUST_CHANGED', 'DUPLICATE_KEY', 'DUPLICATE_NAME', 'UNKNOWN_PEER',
  'UNREADABLE', 'UNWRITABLE',
  // secure/: the handshake and the channel
  'NOT_SWARM_PEER', 'PROTOCOL_VERSION', 'BAD_HANDSHAKE', 'UNTRUSTED_PEER', 'REFUSED_BY_PEER', 'WRONG_PEER_KEY',
  'HANDSHAKE_TIMEOUT', 'FRAME_TOO_LARGE', 'BAD_FRAME', 'TRUNCATED', 'CONNECTION_CLOSED', 'CHANNEL_REFUSED',
  // net/
  'BAD_CHANNEL', 'NODE_CLOSED', 'CONNECT_FAILED', 'PORT_IN_USE', 'BAD_HOST', 'PORT_DENIED', 'LISTEN_FAILED',
  // share/ and get
  'NOT_FOUND', 'NO_ACCESS', 'NOT_SHAREABLE', 'SHARE_FAILED', 'BAD_MAGNET', 'UNTRUSTED_SHARER', 'NO_PEERS', 'GET_FAILED',
  'INTERRUPTED', 'BAD_METADATA', 'UNSAFE_NAME', 'HIDDEN_NAME', 'NAME_MISMATCH', 'SIZE_MISMATCH', 'BAD_OUTPUT', 'EXISTS',
  'FORCE_REFUSED', 'UNSAFE_PATH', 'STATE_UNWRITABLE', 'DISK_FULL', 'WRITE_FAILED', 'SOURCE_CHANGED', 'BAD_PIECES',
  // chat/
  'CHAT_CLOSED', 'MESSAGE_TOO_LONG', 'HISTORY_UNWRITABLE', 'HISTORY_WRITE_FAILED',
  'DEMO_FAILED',
  // pair: pairing by short code (CPace)
  'BAD_PAIR_CODE', 'PAIR_WRONG_CODE', 'PAIR_DECLINED', 'PAIR_EXPIRED', 'PAIR_FAILED', 'PAIR_NOT_FOUND',
  // patient get: refusals that name their cause, one fetch per download, --timeout
  'NOT_SHARED', 'NOT_ALLOWED', 'ALREADY_FETCHING', 'TIMED_OUT',
  // roaming: link liveness (net/link-liveness.ts)
  'LINK_TIMEOUT',
  // share/: webtorrent's internals fence (issue 10)
  'ENGINE_CHANGED',
  // handshake v2 (issue 14): silent refusals and address-only dialling
  'BAD_MAC1', 'REPLAYED_HANDSHAKE', 'NO_KEY_ANSWERED', 'NO_ANSWER',
  // relays through a trusted node (issue 12)
  'RELAY_REFUSED', 'RELAY_NO_ANSWER',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What an error is about, for code that acts on it (the refusal reporter, retries). */
export interface ErrorData {
  /** The key concerned, as swarm1… text. */
  keyText?: string;
  fingerprint?: string;
  /** host:port */
  address?: string;
  path?: string;
  /** The short cause, without the sentence around it (e.g. why a channel was refused). */
  reason?: string;
}

export interface SwarmErrorOptions extends ErrorData {
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
}

export class SwarmError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly hint?: string;
  readonly exitCode: ExitCode;
  readonly keyText?: string;
  readonly fingerprint?: string;
  readonly address?: string;
  readonly path?: string;
  readonly reason?: string;

  constructor(code: C, message: string, options: SwarmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwarmError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
    this.keyText = options.keyText;
    this.fingerprint = options.fingerprint;
    this.address = options.address;
    this.path = options.path;
    this.reason = options.reason;
  }
}

/** A SwarmError of one code whose listed data fields are always present. */
export type SwarmErrorWith<C extends ErrorCode, K extends keyof ErrorData = never> = SwarmError<C> & Required<Pick<ErrorData, K>>;

/** A remote key as the handshake learned it. */
export interface KeyData {
  keyText: string;
  fingerprint: string;
}

/** Builds a SwarmError typed with the data fields its factory always sets. */
export function makeError<C extends ErrorCode, K extends keyof ErrorData = never>(code: C, message: string, options: SwarmErrorOptions = {}): SwarmErrorWith<C, K> {
  return new SwarmError(code, message, options) as SwarmErrorWith<C, K>;
}

export function isSwarmError(error: unknown): error is SwarmError {
  return error instanceof SwarmError;
}

/** True for a SwarmError with one of the given codes. */
export function hasErrorCode<C extends ErrorCode>(error: unknown, ...codes: C[]): error is SwarmError<C> {
  return error instanceof SwarmError && (codes as ErrorCode[]).includes(error.code);
}

/** Failures a later attempt may not meet: no answer yet, or a link cut mid-handshake. */
const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['CONNECT_FAILED', 'HANDSHAKE_TIMEOUT', 'CONNECTION_CLOSED', 'TRUNCATED']);

/**
 * True when retrying cannot help: a SwarmError outside TRANSIENT_CODES (a refusal, a
 * wrong or untrusted key, a protocol mismatch). Anything else (a system error) may pass.
 */
export function isPermanentError(error: unknown): boolean {
  return error instanceof SwarmError && !TRANSIENT_CODES.has(error.code);
}

/** The errno code of a Node system error, if it is one. */
export function systemErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
