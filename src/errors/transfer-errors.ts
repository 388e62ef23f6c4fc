/**
 * Failures of `swarm share` and `swarm get`: what cannot be shared, links and metadata
 * refused, where a download may not be written, sharers that stopped or changed, --timeout,
 * and the fence around webtorrent's internals that sharing relies on.
 */
import { makeError, type KeyData } from './swarm-error.js';

const REDO_LINK = 'the link was altered or made to mislead; nothing was written. Ask the sharer for the link `swarm share` printed';

export const transferErrors = {
  notFound: (path: string) => makeError<'NOT_FOUND', 'path'>('NOT_FOUND', `cannot share ${path}: no such file or directory`, { hint: 'check the path', path }),
  noAccess: (path: string) => makeError<'NO_ACCESS', 'path'>('NO_ACCESS', `cannot share ${path}: permission denied`, { path }),
  notShareable: (path: string, why: string) => makeError<'NOT_SHAREABLE', 'path'>('NOT_SHAREABLE', `cannot share ${path}: ${why}`, { path, reason: why }),
  nothingToShare: (path: string, skippedCount: number) =>
    makeError<'NOT_SHAREABLE', 'path'>('NOT_SHAREABLE', `cannot share ${path}: nothing in it can be shared (${skippedCount} entries skipped)`, {
      hint: 'swarm shares regular files only and never follows symlinks; hidden names need --include-hidden', path, reason: 'nothing to share',
    }),
  tooManyFiles: (path: string, maxFiles: number) =>
    makeError<'NOT_SHAREABLE', 'path'>('NOT_SHAREABLE', `cannot share ${path}: it holds more than ${maxFiles} files, more than getters accept`, {
      hint: 'share a smaller folder, or pack it into an archive first', path, reason: 'too many files',
    }),
  changedWhileReading: (path: string) =>
    makeError<'NOT_SHAREABLE', 'path'>('NOT_SHAREABLE', `cannot share ${path}: it changed while swarm was reading it`, {
      hint: 'run the command again once the file is no longer being written', path, reason: 'changed while reading',
    }),
  shareFailed: (path: string, cause: Error) => makeError<'SHARE_FAILED', 'path'>('SHARE_FAILED', `cannot share ${path}: ${cause.message}`, { cause, path }),
  badMagnet: (why: string) =>
    makeError('BAD_MAGNET', `not a valid swarm magnet link: ${why}`, {
      hint: 'copy the whole line starting with "magnet:?" that `swarm share` printed (quote it in the shell)', reason: why,
    }),
  untrustedSharer: (key: KeyData) =>
    makeError<'UNTRUSTED_SHARER', keyof KeyData>('UNTRUSTED_SHARER', `this link was shared by key ${key.fingerprint}, which you do not trust`, {
      hint: `if you know who sent it, run: swarm trust add ${key.keyText} --name <their name>`, ...key,
    }),
  /** `looksCutByShell`: the link has only xt=, as when an unquoted link met the shell's `&`. */
  noAddressInLink: (looksCutByShell = false) =>
    makeError('NO_PEERS', 'the link names no address to fetch from', {
      hint: looksCutByShell
        ? "the shell cuts an unquoted link at the first &: put the link in single quotes: swarm get 'magnet:?…' (or add the sharer's address with --peer host:port)"
        : "add the sharer's address with --peer host:port",
    }),
  noPeerToFetch: () => makeError('NO_PEERS', 'no peer to fetch from: the link names no address', { hint: "give the sharer's address with --peer host:port" }),
  noPeers: (reasons: string, hint: string) => makeError('NO_PEERS', `could not fetch from any peer (${reasons})`, { hint }),
  /** Every source of the download was dropped because its copy of a file changed after it was shared. */
  sourceChanged: (who: string, fileName: string) =>
    makeError<'SOURCE_CHANGED', 'path'>('SOURCE_CHANGED', `${who}'s copy of ${fileName} changed while you were fetching; ask for a new link`, {
      hint: 'the link pins the content as it was when shared: they must share the file again and send you the link it prints', path: fileName,
    }),
  /** Every source was dropped for sending data that failed the hash check (or never verified). */
  badPieces: (who: string, why: string) =>
    makeError<'BAD_PIECES', 'reason'>('BAD_PIECES', `${who} served bad pieces and was dropped: it ${why}`, {
      hint: 'their copy may be damaged or changed since they shared it: ask them to check the file and share it again', reason: why,
    }),
  getFailed: (message: string) => makeError('GET_FAILED', message),
  interrupted: (progress: string) => makeError('INTERRUPTED', `interrupted: ${progress}`, { hint: 'run the same command again to resume' }),
  badMetadata: (why: string) =>
    makeError('BAD_METADATA', `refusing torrent: ${why}`, { hint: 'the sharer (or a peer) sent metadata swarm will not use; nothing was written', reason: why }),
  /** A metadata file name that would escape the download directory (the why says how). */
  unsafeName: (why: string, hint?: string) => makeError('UNSAFE_NAME', `refusing torrent: ${why}`, { hint, reason: why }),
  hiddenName: (shownName: string) =>
    makeError('HIDDEN_NAME', `refusing torrent: it would create the hidden file or folder ${shownName}`, {
      hint: 'hidden names can replace settings such as .bashrc or .ssh; if you expected one, rerun with --allow-hidden',
    }),
  nameMismatch: (linkName: string, metadataName: string) =>
    makeError('NAME_MISMATCH', `refusing torrent: the link says ${linkName} but the sharer's metadata names ${metadataName}`, { hint: REDO_LINK }),
  sizeMismatch: (linkBytes: number, metadataBytes: number) =>
    makeError('SIZE_MISMATCH', `refusing torrent: the link says ${linkBytes} bytes but the sharer's metadata totals ${metadataBytes}`, { hint: REDO_LINK }),
  badOutput: (path: string, why: string, hint = 'choose a folder you can write to with -o') =>
    makeError<'BAD_OUTPUT', 'path'>('BAD_OUTPUT', `cannot save into ${path}: ${why}`, { hint, path, reason: why }),
  exists: (path: string) =>
    makeError<'EXISTS', 'path'>('EXISTS', `${path} already exists and differs from the download; not overwriting it`, {
      hint: 'use -o to download elsewhere, or --force to replace the files the download names', path,
    }),
  /** `<name>.part` is there but no interrupted download of ours is recorded for it. */
  partExists: (path: string) =>
    makeError<'EXISTS', 'path'>('EXISTS', `${path} already exists and is not a download this swarm home started; not writing into it`, {
      hint: 'move it away (or delete it), or use -o to download elsewhere', path,
    }),
  /** The final name was taken while the download ran in `<name>.part`. */
  targetAppeared: (path: string, stagingPath: string) =>
    makeError<'EXISTS', 'path'>('EXISTS', `${path} appeared while downloading; the complete download is kept as ${stagingPath}`, {
      hint: 'move the new one away and run the same command again', path,
    }),
  forceRefused: (path: string, what: string) =>
    makeError<'FORCE_REFUSED', 'path'>('FORCE_REFUSED', `${path} is ${what}; --force replaces only regular files the download names`, {
      hint: 'move it away yourself, or use -o to download elsewhere', path,
    }),
  unsafePath: (path: string, why: string) =>
    makeError<'UNSAFE_PATH', 'path'>('UNSAFE_PATH', `refusing to write ${path}: ${why}`, {
      hint: "something in the output directory changed under the download (another user's link or file?); use a directory only you can write to", path, reason: why,
    }),
  /** shownPath: the file relative to the output folder, as the user knows it. */
  diskFull: (outDir: string, shownPath: string, path: string) =>
    makeError<'DISK_FULL', 'path'>('DISK_FULL', `no space left on ${outDir} writing ${shownPath}`, {
      hint: 'free some space and run the same command to resume (verified pieces are kept)', path, reason: 'no space left',
    }),
  writeFailed: (path: string, why: string) =>
    makeError<'WRITE_FAILED', 'path'>('WRITE_FAILED', `cannot write ${path}: ${why}`, {
      hint: 'fix the output folder (permissions, a read-only disk) and run the same command to resume', path, reason: why,
    }),
  stateUnwritable: (path: string, why: string) =>
    makeError<'STATE_UNWRITABLE', 'path'>('STATE_UNWRITABLE', `cannot record the download in ${path}: ${why}`, { hint: 'make SWARM_HOME writable', path, reason: why }),
  // patient get: refusals that name their cause, one fetch per download, --timeout
  /** The sharer's node answered but serves no torrent (or none at all): its share was stopped. */
  shareStopped: (who: string, address: string) =>
    makeError<'NOT_SHARED', 'address'>('NOT_SHARED', `${who} is not sharing anything at ${address} any more (the share was stopped)`, {
      hint: `ask ${who} to run \`swarm share\` on the same files again (it gives the same link), then run this command again to resume`, address, reason: 'share stopped',
    }),
  /** The sharer's node shares other torrents, not this link's. */
  otherShare: (who: string, address: string) =>
    makeError<'NOT_SHARED', 'address'>('NOT_SHARED', `${who} is sharing something else at ${address}, not this link (that share was stopped or replaced, e.g. after its files changed)`, {
      hint: `ask ${who} for the link their current \`swarm share\` printed`, address, reason: 'another share',
    }),
  /** The share's --allow list leaves this key out (trust is fine). */
  leftOutByAllow: (who: string) =>
    makeError<'NOT_ALLOWED', 'reason'>('NOT_ALLOWED', `${who}'s share is limited to certain people (--allow) and you are not one of them`, {
      hint: `${who} already trusts your key: ask them to add your name to --allow and share again`, reason: 'not allowed for this share',
    }),
  alreadyFetching: (pid: number, path: string) =>
    makeError<'ALREADY_FETCHING', 'path'>('ALREADY_FETCHING', `already fetching this in another swarm process (pid ${pid})`, {
      hint: 'let that one finish, or stop it (Ctrl-C keeps what it verified) and run this command again', path,
    }),
  getTimedOut: (after: string, why: string, kept: string) =>
    makeError('TIMED_OUT', `gave up after ${after} (--timeout): ${why}; ${kept}`, {
      hint: 'run the same command again to resume, or leave out --timeout to wait until the sharer is back', exitCode: 124, reason: why,
    }),
  // share/: webtorrent's internals fence (issue 10)
  engineChanged: (hook: string, expected: string) =>
    makeError('ENGINE_CHANGED', `the installed webtorrent no longer has ${hook} (${expected}); swarm relies on it`, {
      hint: 'reinstall swarm with its locked dependencies (npm ci); this webtorrent version is not supported',
    }),
};
