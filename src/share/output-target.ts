/**
 * Where a download lands and when it may touch what is already there. A download is
 * written to `<out>/<name>.part` (a file, or a folder holding the whole tree) and moved to
 * `<out>/<name>` only once every piece is verified, so a name without `.part` is always
 * complete. An existing `<name>` is only replaced with --force; an existing `<name>.part`
 * is only written to when it is our own interrupted download.
 *
 * - "Our own" is recorded under SWARM_HOME (`partial/<infohash>`, holding the target
 *   path), never in the output directory: anyone who can write to a shared output
 *   folder could plant a marker there and make a symlink look like our resume.
 * - --force replaces only regular files the torrent names. A folder, link, device or
 *   anything else in the way is refused, and nothing is removed unless all of them pass.
 */
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errors, type SwarmError, systemErrorCode } from '../errors.js';
import type { MetadataSummary } from './metadata-guard.js';
import { ensureFolders } from './no-follow-store.js';

export interface OutputTarget {
  outDir: string;
  /** SWARM_HOME: resume records live in its `partial/` folder. */
  stateDir: string;
  infoHash: string;
  summary: MetadataSummary;
  isForced: boolean;
}

export function partialRecordPath(stateDir: string, infoHash: string): string {
  return join(stateDir, 'partial', infoHash);
}

const MAX_NAME_BYTES = 255;

/**
 * The name the download has until every piece is verified: `<name>.part`, the name cut
 * short (whole characters) when the suffix would pass the 255-byte limit of most disks.
 */
export function stagingName(name: string): string {
  const characters = [...name];
  while (Buffer.byteLength(characters.join('')) + '.part'.length > MAX_NAME_BYTES) characters.pop();
  return `${characters.join('')}.part`;
}

const OUTPUT_REASONS: Record<string, string> = {
  EEXIST: 'it is a file, not a folder',
  ENOTDIR: 'part of the path is a file, not a folder',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * Creates the output folder if needed and checks that it is a folder we can write in,
 * before any peer is dialled: a bad -o is one plain line, not a failed write mid-transfer.
 */
export function ensureOutputDirectory(outDir: string): void {
  try {
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (error) {
      // A recursive mkdir on a read-only disk says ENOENT: the nearest existing folder says why.
      const nearest = nearestExisting(outDir);
      checkWritableFolder(nearest, nearest === outDir ? 'EEXIST' : 'ENOTDIR');
      throw error;
    }
    checkWritableFolder(outDir, 'EEXIST');
  } catch (error) {
    const code = systemErrorCode(error);
    throw errors.badOutput(outDir, (code && OUTPUT_REASONS[code]) ?? code ?? (error as Error).message);
  }
}

/** Throws a system-style error: notFolderCode when path is not a folder, else what access() says. */
function checkWritableFolder(path: string, notFolderCode: string): void {
  if (!statSync(path).isDirectory()) throw Object.assign(new Error('not a folder'), { code: notFolderCode });
  accessSync(path, constants.W_OK | constants.X_OK);
}

function nearestExisting(path: string): string {
  let at = path;
  while (!pathExists(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

/** Paths (relative to outDir) of every file the torrent writes. */
export function filePaths(summary: MetadataSummary): string[][] {
  return summary.files.map((file) => [summary.name, ...file.path]);
}

/** True when our own earlier run was downloading this torrent to this very path. */
function isOurPartial(target: OutputTarget): boolean {
  try {
    return readFileSync(partialRecordPath(target.stateDir, target.infoHash), 'utf8') === `${join(target.outDir, target.summary.name)}\n`;
  } catch {
    return false;
  }
}

/** True when `<out>/<name>` exists and --force was not given (it may still be our exact copy). */
export function isBlockedByExistingTarget(target: OutputTarget): boolean {
  return !target.isForced && pathExists(join(target.outDir, target.summary.name));
}

export function existingTargetError(outDir: string, summary: MetadataSummary): SwarmError {
  return errors.exists(join(outDir, summary.name));
}

/**
 * Called once the metadata is known, before anything is written. Throws EXISTS when
 * `<out>/<name>` exists without --force, or `<out>/<name>.part` exists and is not our
 * interrupted download. Returns whether this is a resume (our `.part` is there).
 */
export function prepareOutputTarget(target: OutputTarget): { isResume: boolean } {
  const { outDir, stateDir, infoHash, summary } = target;
  const staging = join(outDir, stagingName(summary.name));
  const hasStaging = pathExists(staging);
  const isResume = hasStaging && isOurPartial(target);
  if (hasStaging && !isResume) throw errors.partExists(staging);
  if (pathExists(join(outDir, summary.name))) {
    if (!target.isForced) throw existingTargetError(outDir, summary);
    const doomed = filePaths(summary).map((parts) => replaceableFile(outDir, parts)).filter((path) => path !== undefined);
    for (const path of doomed) unlinkSync(path);
  }
  try {
    mkdirSync(join(stateDir, 'partial'), { recursive: true, mode: 0o700 });
    writeFileSync(partialRecordPath(stateDir, infoHash), `${join(outDir, summary.name)}\n`, { mode: 0o600 });
  } catch (error) {
    throw errors.stateUnwritable(join(stateDir, 'partial'), systemErrorCode(error) ?? (error as Error).message);
  }
  return { isResume };
}

export function finishOutputTarget(stateDir: string, infoHash: string): void {
  rmSync(partialRecordPath(stateDir, infoHash), { force: true });
}

/**
 * Every piece is verified: `<name>.part` becomes `<name>`. One rename, unless --force
 * left a folder of that name (holding files the download does not name): then each file
 * moves into it, through folders checked as the store checks them. Without --force a
 * `<name>` that appeared meanwhile is not replaced (a small window remains between the
 * check and the rename: Node has no renameat2(RENAME_NOREPLACE)).
 */
export async function moveIntoPlace(target: Pick<OutputTarget, 'outDir' | 'summary' | 'isForced'>): Promise<void> {
  const { outDir, summary } = target;
  const staging = join(outDir, stagingName(summary.name));
  const final = join(outDir, summary.name);
  const existing = lstatOrUndefined(final);
  if (existing && !target.isForced) throw errors.targetAppeared(final, staging);
  if (!existing?.isDirectory() || summary.files.every((file) => file.path.length === 0)) {
    await rename(staging, final).catch((error: unknown) => {
      throw systemErrorCode(error) === 'EISDIR' ? errors.targetAppeared(final, staging) : error;
    });
    return;
  }
  for (const file of summary.files) {
    await ensureFolders(outDir, [summary.name, ...file.path.slice(0, -1)]);
    await rename(join(staging, ...file.path), join(final, ...file.path));
  }
  await rm(staging, { recursive: true, force: true });
}

const forceRefused = errors.forceRefused;

/**
 * --force, for one file of the download: every folder on the way must be a real folder
 * (never followed if it is a link), and the file itself absent or a regular file.
 * Returns the file to remove, if there is one.
 */
function replaceableFile(outDir: string, parts: string[]): string | undefined {
  for (let depth = 1; depth <= parts.length; depth++) {
    const path = join(outDir, ...parts.slice(0, depth));
    const stats = lstatOrUndefined(path);
    if (!stats) return undefined;
    const isLeaf = depth === parts.length;
    if (stats.isSymbolicLink()) throw forceRefused(path, 'a symbolic link');
    if (isLeaf && stats.isDirectory()) throw forceRefused(path, 'a folder');
    if (!isLeaf && !stats.isDirectory()) throw forceRefused(path, 'a file where the download needs a folder');
    if (isLeaf && !stats.isFile()) throw forceRefused(path, 'not a regular file');
    if (isLeaf) return path;
  }
  return undefined;
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function pathExists(path: string): boolean {
  return lstatOrUndefined(path) !== undefined;
}

/** Bytes of `<name>.part` already on disk (what a resume will check), in regular files, capped per file. */
export function stagedBytes(outDir: string, summary: MetadataSummary): number {
  const staging = join(outDir, stagingName(summary.name));
  return summary.files.reduce((sum, file) => {
    const stats = lstatOrUndefined(join(staging, ...file.path));
    return sum + (stats?.isFile() ? Math.min(file.length, Number(stats.size)) : 0);
  }, 0);
}
