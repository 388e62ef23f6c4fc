/**
 * Every failure a user can cause or fix, in one catalogue: `errors.x(...)` builds a
 * SwarmError whose `code` is one of ERROR_CODES and whose data (the key, the address,
 * the path, the reason) travels as typed fields, so callers branch on `code` and read
 * `keyText` instead of parsing the message. The CLI prints `message` and `hint` as
 * single lines and exits with `exitCode`; anything that is not a SwarmError is a bug and
 * is reported as one. (Style of holepunchto/hyperdht lib/errors.js: one class, factories.)
 * This module imports nothing, so every layer may use it.
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

function make<C extends ErrorCode, K extends keyof ErrorData = never>(code: C, message: string, options: SwarmErrorOptions = {}): SwarmErrorWith<C, K> {
  return new SwarmError(code, message, options) as SwarmErrorWith<C, K>;
}

const REDO_LINK = 'the link was altered or made to mislead; nothing was written. Ask the sharer for the link `swarm share` printed';

export const errors = {
  usage: (message: string, hint?: string) => make('USAGE', message, { hint, exitCode: 2 }),

  badKey: (shown: string, why: string, hint: string) => make('BAD_KEY', `not a valid swarm key: ${JSON.stringify(shown)} (${why})`, { hint, reason: why }),
  /** `swarm id` shows both; the short one is for comparing by voice, not for trusting. */
  fingerprintNotKey: (shown: string, keyPrefix: string) =>
    make('BAD_KEY', `${JSON.stringify(shown)} is a fingerprint, not a key`, {
      hint: `ask for the full key that starts with ${keyPrefix}… (the first line of their 'swarm id')`, reason: 'a fingerprint',
    }),
  ownKey: () => make('OWN_KEY', 'that is your own key: you do not need to trust yourself', { hint: "add the key your friend's 'swarm id' prints, and give them yours" }),
  corruptIdentity: (path: string, why: string) =>
    make<'CORRUPT_IDENTITY', 'path'>('CORRUPT_IDENTITY', `identity file ${path} is damaged (${why}); it was left untouched`, {
      hint: 'restore it from a backup; deleting it creates a new key that your peers must trust again', path, reason: why,
    }),
  corruptTrust: (path: string, why: string) =>
    make<'CORRUPT_TRUST', 'path'>('CORRUPT_TRUST', `trust store ${path} is damaged (${why}); it was left untouched`, {
      hint: 'fix or restore the file by hand (it is JSON); swarm will not overwrite it', path, reason: why,
    }),
  trustChanged: (path: string) => make<'TRUST_CHANGED', 'path'>('TRUST_CHANGED', `${path} changed while this command ran`, { hint: 'run the command again', path }),
  duplicateKey: (existingName: string, chosenName: string) =>
    make('DUPLICATE_KEY', `that key is already trusted as "${existingName}"`, {
      hint: `to rename it: swarm trust remove ${existingName} && swarm trust add <key> --name ${chosenName}`,
    }),
  duplicateName: (name: string) => make('DUPLICATE_NAME', `the name "${name}" is already used for another key`, { hint: 'pick another name with --name' }),
  unknownPeer: (nameOrKeyText: string) =>
    make('UNKNOWN_PEER', `no trusted key is named or equal to "${nameOrKeyText}"`, { hint: "see 'swarm trust list' for the names you use" }),
  unknownChatPeer: (name: string) => make('UNKNOWN_PEER', `no trusted key is named "${name}"`, { hint: 'type /trust to see the names you can write to' }),
  unreadable: (path: string, why: string, cause: unknown) =>
    make<'UNREADABLE', 'path'>('UNREADABLE', `cannot read ${path}: ${why}`, { hint: 'check the file permissions, or set SWARM_HOME to another directory', cause, path, reason: why }),
  unwritable: (path: string, why: string, cause: unknown) =>
    make<'UNWRITABLE', 'path'>('UNWRITABLE', `cannot write ${path}: ${why}`, { hint: 'make the directory writable, or set SWARM_HOME to a writable directory', cause, path, reason: why }),

  notSwarmPeer: () => make('NOT_SWARM_PEER', 'the remote end is not a swarm node (wrong protocol magic)', { hint: 'check the host and port' }),
  protocolVersion: (theirs: number, ours: number) =>
    make('PROTOCOL_VERSION', `the remote node speaks swarm protocol version ${theirs}; this node speaks version ${ours}`, {
      hint: theirs > ours ? 'upgrade swarm on this machine' : 'the other side needs to upgrade swarm',
    }),
  badHandshake: (why: string) => make('BAD_HANDSHAKE', `secure handshake failed: ${why}`, { reason: why }),
  /** This node refused the remote's authenticated key: it is not on the trust list. */
  untrustedPeer: (key: KeyData) =>
    make<'UNTRUSTED_PEER', keyof KeyData | 'reason'>('UNTRUSTED_PEER', `refused key ${key.fingerprint}: it is not on this node's trust list`, {
      hint: 'run `swarm trust add <key>` if you trust that person', ...key, reason: 'not trusted',
    }),
  /** The key was trusted when the handshake checked it, and no longer is. */
  revokedWhileConnecting: (key: KeyData) =>
    make<'UNTRUSTED_PEER', keyof KeyData | 'reason'>('UNTRUSTED_PEER', `key ${key.fingerprint} was removed from the trust store while connecting`, {
      ...key, reason: 'removed from the trust list',
    }),
  refusedByPeer: (reason: string) => make<'REFUSED_BY_PEER', 'reason'>('REFUSED_BY_PEER', `the remote node refused the connection: ${reason}`, { reason }),
  wrongPeerKey: (key: KeyData) =>
    make<'WRONG_PEER_KEY', keyof KeyData | 'reason'>('WRONG_PEER_KEY', `the remote node proved key ${key.fingerprint}, not the key that was expected`, {
      hint: 'someone else is listening at that address', ...key, reason: 'not the key that was expected',
    }),
  handshakeTimeout: (timeoutMs: number) => make('HANDSHAKE_TIMEOUT', `secure handshake did not finish within ${timeoutMs} ms`),
  frameTooLarge: (bytes: number, maxBytes: number) => make('FRAME_TOO_LARGE', `refused a ${bytes}-byte frame (limit ${maxBytes})`),
  badFrame: () => make('BAD_FRAME', 'a frame failed authentication (altered, replayed, reordered or forged); connection dropped'),
  truncated: () => make('TRUNCATED', 'the connection ended in the middle of the stream (truncated)'),
  connectionClosed: () => make('CONNECTION_CLOSED', 'the connection closed during the secure handshake'),
  /** This node refused an authenticated, trusted key's channel request. */
  channelRefused: (reason: string, key: KeyData) =>
    make<'CHANNEL_REFUSED', keyof KeyData | 'reason'>('CHANNEL_REFUSED', `refused channel: ${reason}`, { ...key, reason }),

  badChannel: (what: string, channel: string) => make('BAD_CHANNEL', `not ${what}: ${JSON.stringify(channel)}`),
  nodeClosed: () => make('NODE_CLOSED', 'the node is shutting down'),
  connectFailed: (host: string, port: number, why: string) =>
    make<'CONNECT_FAILED', 'address'>('CONNECT_FAILED', `could not connect to ${host}:${port} (${why})`, {
      hint: 'check the address, and that swarm is running there and reachable', address: `${host}:${port}`, reason: why,
    }),
  portInUse: (port: number, where: string) => make('PORT_IN_USE', `port ${port} is already in use (${where})`, { hint: 'choose another with --port, or --port 0 for any free port', address: where }),
  badHost: (where: string) => make('BAD_HOST', `cannot listen on ${where}: no such local address`, { hint: 'check --host', address: where }),
  portDenied: (where: string) => make('PORT_DENIED', `not allowed to listen on ${where}`, { hint: 'use a port above 1023', address: where }),
  listenFailed: (where: string, why: string) => make('LISTEN_FAILED', `cannot listen on ${where}: ${why}`, { address: where, reason: why }),

  notFound: (path: string) => make<'NOT_FOUND', 'path'>('NOT_FOUND', `cannot share ${path}: no such file or directory`, { hint: 'check the path', path }),
  noAccess: (path: string) => make<'NO_ACCESS', 'path'>('NO_ACCESS', `cannot share ${path}: permission denied`, { path }),
  notShareable: (path: string, why: string) => make<'NOT_SHAREABLE', 'path'>('NOT_SHAREABLE', `cannot share ${path}: ${why}`, { path, reason: why }),
  nothingToShare: (path: string, skippedCount: number) =>
    make<'NOT_SHAREABLE', 'path'>('NOT_SHAREABLE', `cannot share ${path}: nothing in it can be shared (${skippedCount} entries skipped)`, {
      hint: 'swarm shares regular files only and never follows symlinks; hidden names need --include-hidden', path, reason: 'nothing to share',
    }),
  tooManyFiles: (path: string, maxFiles: number) =>
    make<'NOT_SHAREABLE', 'path'>('NOT_SHAREABLE', `cannot share ${path}: it holds more than ${maxFiles} files, more than getters accept`, {
      hint: 'share a smaller folder, or pack it into an archive first', path, reason: 'too many files',
    }),
  changedWhileReading: (path: string) =>
    make<'NOT_SHAREABLE', 'path'>('NOT_SHAREABLE', `cannot share ${path}: it changed while swarm was reading it`, {
      hint: 'run the command again once the file is no longer being written', path, reason: 'changed while reading',
    }),
  shareFailed: (path: string, cause: Error) => make<'SHARE_FAILED', 'path'>('SHARE_FAILED', `cannot share ${path}: ${cause.message}`, { cause, path }),
  badMagnet: (why: string) =>
    make('BAD_MAGNET', `not a valid swarm magnet link: ${why}`, {
      hint: 'copy the whole line starting with "magnet:?" that `swarm share` printed (quote it in the shell)', reason: why,
    }),
  untrustedSharer: (key: KeyData) =>
    make<'UNTRUSTED_SHARER', keyof KeyData>('UNTRUSTED_SHARER', `this link was shared by key ${key.fingerprint}, which you do not trust`, {
      hint: `if you know who sent it, run: swarm trust add ${key.keyText} --name <their name>`, ...key,
    }),
  /** `looksCutByShell`: the link has only xt=, as when an unquoted link met the shell's `&`. */
  noAddressInLink: (looksCutByShell = false) =>
    make('NO_PEERS', 'the link names no address to fetch from', {
      hint: looksCutByShell
        ? "the shell cuts an unquoted link at the first &: put the link in single quotes: swarm get 'magnet:?…' (or add the sharer's address with --peer host:port)"
        : "add the sharer's address with --peer host:port",
    }),
  noPeerToFetch: () => make('NO_PEERS', 'no peer to fetch from: the link names no address', { hint: "give the sharer's address with --peer host:port" }),
  noPeers: (reasons: string, hint: string) => make('NO_PEERS', `could not fetch from any peer (${reasons})`, { hint }),
  /** Every source of the download was dropped because its copy of a file changed after it was shared. */
  sourceChanged: (who: string, fileName: string) =>
    make<'SOURCE_CHANGED', 'path'>('SOURCE_CHANGED', `${who}'s copy of ${fileName} changed while you were fetching; ask for a new link`, {
      hint: 'the link pins the content as it was when shared: they must share the file again and send you the link it prints', path: fileName,
    }),
  /** Every source was dropped for sending data that failed the hash check (or never verified). */
  badPieces: (who: string, why: string) =>
    make<'BAD_PIECES', 'reason'>('BAD_PIECES', `${who} served bad pieces and was dropped: it ${why}`, {
      hint: 'their copy may be damaged or changed since they shared it: ask them to check the file and share it again', reason: why,
    }),
  getFailed: (message: string) => make('GET_FAILED', message),
  interrupted: (progress: string) => make('INTERRUPTED', `interrupted: ${progress}`, { hint: 'run the same command again to resume' }),
  badMetadata: (why: string) =>
    make('BAD_METADATA', `refusing torrent: ${why}`, { hint: 'the sharer (or a peer) sent metadata swarm will not use; nothing was written', reason: why }),
  /** A metadata file name that would escape the download directory (the why says how). */
  unsafeName: (why: string, hint?: string) => make('UNSAFE_NAME', `refusing torrent: ${why}`, { hint, reason: why }),
  hiddenName: (shownName: string) =>
    make('HIDDEN_NAME', `refusing torrent: it would create the hidden file or folder ${shownName}`, {
      hint: 'hidden names can replace settings such as .bashrc or .ssh; if you expected one, rerun with --allow-hidden',
    }),
  nameMismatch: (linkName: string, metadataName: string) =>
    make('NAME_MISMATCH', `refusing torrent: the link says ${linkName} but the sharer's metadata names ${metadataName}`, { hint: REDO_LINK }),
  sizeMismatch: (linkBytes: number, metadataBytes: number) =>
    make('SIZE_MISMATCH', `refusing torrent: the link says ${linkBytes} bytes but the sharer's metadata totals ${metadataBytes}`, { hint: REDO_LINK }),
  badOutput: (path: string, why: string, hint = 'choose a folder you can write to with -o') =>
    make<'BAD_OUTPUT', 'path'>('BAD_OUTPUT', `cannot save into ${path}: ${why}`, { hint, path, reason: why }),
  exists: (path: string) =>
    make<'EXISTS', 'path'>('EXISTS', `${path} already exists and differs from the download; not overwriting it`, {
      hint: 'use -o to download elsewhere, or --force to replace the files the download names', path,
    }),
  /** `<name>.part` is there but no interrupted download of ours is recorded for it. */
  partExists: (path: string) =>
    make<'EXISTS', 'path'>('EXISTS', `${path} already exists and is not a download this swarm home started; not writing into it`, {
      hint: 'move it away (or delete it), or use -o to download elsewhere', path,
    }),
  /** The final name was taken while the download ran in `<name>.part`. */
  targetAppeared: (path: string, stagingPath: string) =>
    make<'EXISTS', 'path'>('EXISTS', `${path} appeared while downloading; the complete download is kept as ${stagingPath}`, {
      hint: 'move the new one away and run the same command again', path,
    }),
  forceRefused: (path: string, what: string) =>
    make<'FORCE_REFUSED', 'path'>('FORCE_REFUSED', `${path} is ${what}; --force replaces only regular files the download names`, {
      hint: 'move it away yourself, or use -o to download elsewhere', path,
    }),
  unsafePath: (path: string, why: string) =>
    make<'UNSAFE_PATH', 'path'>('UNSAFE_PATH', `refusing to write ${path}: ${why}`, {
      hint: "something in the output directory changed under the download (another user's link or file?); use a directory only you can write to", path, reason: why,
    }),
  /** shownPath: the file relative to the output folder, as the user knows it. */
  diskFull: (outDir: string, shownPath: string, path: string) =>
    make<'DISK_FULL', 'path'>('DISK_FULL', `no space left on ${outDir} writing ${shownPath}`, {
      hint: 'free some space and run the same command to resume (verified pieces are kept)', path, reason: 'no space left',
    }),
  writeFailed: (path: string, why: string) =>
    make<'WRITE_FAILED', 'path'>('WRITE_FAILED', `cannot write ${path}: ${why}`, {
      hint: 'fix the output folder (permissions, a read-only disk) and run the same command to resume', path, reason: why,
    }),
  stateUnwritable: (path: string, why: string) =>
    make<'STATE_UNWRITABLE', 'path'>('STATE_UNWRITABLE', `cannot record the download in ${path}: ${why}`, { hint: 'make SWARM_HOME writable', path, reason: why }),

  chatClosed: () => make('CHAT_CLOSED', 'the chat has ended'),
  messageTooLong: (maxBytes: number) => make('MESSAGE_TOO_LONG', `message too long (over ${maxBytes} bytes)`, { hint: 'split it into several lines' }),
  historyUnwritable: (path: string, cause: unknown) =>
    make<'HISTORY_UNWRITABLE', 'path'>('HISTORY_UNWRITABLE', `cannot use chat history ${path}`, { hint: 'check the permissions of the swarm home directory', cause, path }),

  historyWriteFailed: (path: string, cause: unknown) =>
    make<'HISTORY_WRITE_FAILED', 'path'>('HISTORY_WRITE_FAILED', `cannot write chat history ${path} (${systemErrorCode(cause) ?? (cause instanceof Error ? cause.message : String(cause))})`, {
      hint: 'chat goes on; messages from now on are kept in memory only, until it ends (free some disk space)', cause, path,
    }),

  demoFailed: (message: string, hint?: string) => make('DEMO_FAILED', message, { hint }),

  // pair: pairing by short code (CPace)
  badPairCode: (shown: string, why: string) =>
    make('BAD_PAIR_CODE', `not a pairing code: ${JSON.stringify(shown)} (${why})`, {
      hint: "type the code exactly as 'swarm pair' printed it on the other machine, e.g. 7-crossover-clockwork-indigo", reason: why,
    }),
  pairWrongCode: () =>
    make('PAIR_WRONG_CODE', 'the two sides did not enter the same code: this attempt is over and the code is dead; nothing was written', {
      hint: "run 'swarm pair' again for a new code and read it out carefully", reason: 'wrong code',
    }),
  pairDeclined: (byWhom: 'you' | 'the other side') =>
    make('PAIR_DECLINED', `pairing declined by ${byWhom}; nothing was written`, {
      hint: 'pair again only if both screens show the same words', reason: `declined by ${byWhom}`,
    }),
  pairExpired: (timeoutMs: number) =>
    make('PAIR_EXPIRED', `the pairing did not finish within ${Math.round(timeoutMs / 1000)} s; the code is dead and nothing was written`, {
      hint: "run 'swarm pair' again (--timeout sets how long a code lives)",
    }),
  pairFailed: (why: string, address?: string) =>
    make('PAIR_FAILED', `pairing failed: ${why}; nothing was written`, { hint: "run 'swarm pair' again for a new code", reason: why, address }),
  pairInterrupted: () => make('INTERRUPTED', 'pairing interrupted; nothing was written', { hint: "run 'swarm pair' again for a new code" }),
  /** `where`: e.g. "on this network", "in the DHT". */
  pairNotFound: (codeNumber: number, waitedMs: number, where: string) =>
    make('PAIR_NOT_FOUND', `nobody is waiting with a code that starts with ${codeNumber} (looked ${where} for ${Math.round(waitedMs / 1000)} s)`, {
      hint: "check the number, make sure the other side's 'swarm pair' is still waiting, or give its address with --peer host:port",
    }),
  // patient get: refusals that name their cause, one fetch per download, --timeout
  /** The sharer's node answered but serves no torrent (or none at all): its share was stopped. */
  shareStopped: (who: string, address: string) =>
    make<'NOT_SHARED', 'address'>('NOT_SHARED', `${who} is not sharing anything at ${address} any more (the share was stopped)`, {
      hint: `ask ${who} to run \`swarm share\` on the same files again (it gives the same link), then run this command again to resume`, address, reason: 'share stopped',
    }),
  /** The sharer's node shares other torrents, not this link's. */
  otherShare: (who: string, address: string) =>
    make<'NOT_SHARED', 'address'>('NOT_SHARED', `${who} is sharing something else at ${address}, not this link (that share was stopped or replaced, e.g. after its files changed)`, {
      hint: `ask ${who} for the link their current \`swarm share\` printed`, address, reason: 'another share',
    }),
  /** The share's --allow list leaves this key out (trust is fine). */
  leftOutByAllow: (who: string) =>
    make<'NOT_ALLOWED', 'reason'>('NOT_ALLOWED', `${who}'s share is limited to certain people (--allow) and you are not one of them`, {
      hint: `${who} already trusts your key: ask them to add your name to --allow and share again`, reason: 'not allowed for this share',
    }),
  alreadyFetching: (pid: number, path: string) =>
    make<'ALREADY_FETCHING', 'path'>('ALREADY_FETCHING', `already fetching this in another swarm process (pid ${pid})`, {
      hint: 'let that one finish, or stop it (Ctrl-C keeps what it verified) and run this command again', path,
    }),
  getTimedOut: (after: string, why: string, kept: string) =>
    make('TIMED_OUT', `gave up after ${after} (--timeout): ${why}; ${kept}`, {
      hint: 'run the same command again to resume, or leave out --timeout to wait until the sharer is back', exitCode: 124, reason: why,
    }),
  // roaming: link liveness (net/link-liveness.ts)
  linkTimeout: (silentMs: number) =>
    make('LINK_TIMEOUT', `no sign of life from the peer for ${Math.round(silentMs / 100) / 10} s; link closed as dead`, {
      hint: 'the path to the peer died (a network change, sleep, a cut cable); it is redialled when it can be',
    }),
  // share/: webtorrent's internals fence (issue 10)
  engineChanged: (hook: string, expected: string) =>
    make('ENGINE_CHANGED', `the installed webtorrent no longer has ${hook} (${expected}); swarm relies on it`, {
      hint: 'reinstall swarm with its locked dependencies (npm ci); this webtorrent version is not supported',
    }),
  // handshake v2 (issue 14)
  /** A message 1 whose mac1 is not for this node's key: dropped without Diffie-Hellman, silently. */
  badMac1: () => make('BAD_MAC1', 'a message 1 not made for this node\'s key (wrong mac1); ignored silently', { reason: 'wrong mac1' }),
  replayedHandshake: (key: KeyData) =>
    make<'REPLAYED_HANDSHAKE', keyof KeyData | 'reason'>('REPLAYED_HANDSHAKE', `refused a replayed handshake of key ${key.fingerprint} (timestamp not newer)`, { ...key, reason: 'replayed message 1' }),
  /** A v1 initiator reached this v2 node (it gets silence). */
  v1Initiator: () =>
    make('PROTOCOL_VERSION', 'a swarm protocol v1 node tried to connect; this node speaks v2 and stays silent to it', { hint: 'the other side needs to upgrade swarm', reason: 'protocol v1' }),
  /** This v2 node dialled a v1 node. */
  peerRunsV1: (address: string) =>
    make<'PROTOCOL_VERSION', 'address'>('PROTOCOL_VERSION', `peer ${address} runs swarm protocol v1; this node speaks v2, and both sides must run the same version`, { hint: 'the other side needs to upgrade swarm', address }),
  /** v2 responders are silent to keys they do not trust: not retried, since retrying gets the same silence. */
  handshakeUnanswered: (timeoutMs: number) =>
    make('NO_ANSWER', `no answer to the secure handshake within ${timeoutMs} ms: the node there does not trust your key, is not the key you dialled, or is not a swarm node`, {
      hint: 'check that they trust your key (swarm id shows it) and that the address and key are theirs',
    }),
  noKeyAnswered: (address: string, triedKeys: number) =>
    make<'NO_KEY_ANSWERED', 'address'>('NO_KEY_ANSWERED', `no trusted key answered at ${address} (tried ${triedKeys})`, {
      hint: 'the node there does not trust you, or is not one of your trusted keys; name its key with --peer <name>@host:port', address,
    }),
  // relays through a trusted node (issue 12)
  relayRefused: (address: string, who: string, reason: string) =>
    make<'RELAY_REFUSED', 'address' | 'reason'>('RELAY_REFUSED', `the relay at ${address} will not connect you to ${who}: ${reason}`, {
      hint: `the relay must trust both of you, and ${who} must be registered with it (running with --relay ${address})`, address, reason,
    }),
  relayUnanswered: (address: string) =>
    make<'RELAY_NO_ANSWER', 'address'>('RELAY_NO_ANSWER', `the relay at ${address} did not answer: it does not trust your key, or is not a relay you trust`, {
      hint: 'the relay\'s operator must trust your key (swarm trust add), and you its key; name it with --relay <name>@host:port', address,
    }),
  /** A direct dial failed and the peer named no relay (the error issue 12 asks for); stays CONNECT_FAILED, so it is retried. */
  unreachableNoRelay: (who: string, host: string, port: number, why: string) => {
    const text = `${who} is behind a router that does not forward their port and offers no relay: ask them to run with --relay, or to forward port ${port}`;
    return make<'CONNECT_FAILED', 'address' | 'reason'>('CONNECT_FAILED', text, { hint: `could not connect to ${host}:${port} (${why})`, address: `${host}:${port}`, reason: `${text} (${why})` });
  },
};

export function usageError(message: string, hint?: string): SwarmError<'USAGE'> {
  return errors.usage(message, hint);
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
