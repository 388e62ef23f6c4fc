/**
 * Where a download lands and when it may touch what is already there. A download goes
 * to `<out>/<name>`; an existing file there is only written to when it is our own
 * interrupted download or with --force.
 *
 * - "Our own" is recorded under SWARM_HOME (`partial/<infohash>`, holding the target
 *   path), never in the output directory: anyone who can write to a shared output
 *   folder could plant a marker there and make a symlink look like our resume.
 * - --force replaces only regular files the torrent names. A folder, link, device or
 *   anything else in the way is refused, and nothing is removed unless all of them pass.
 */
import { lstatSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, type SwarmError, systemErrorCode } from '../errors.js';
import type { MetadataSummary } from './metadata-guard.js';

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

export function ensureOutputDirectory(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw errors.badOutput(outDir, systemErrorCode(error) ?? (error as Error).message);
  }
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

/** True when `<out>/<name>` exists and is neither our partial download nor allowed by --force. */
export function isBlockedByExistingTarget(target: OutputTarget): boolean {
  return !target.isForced && !isOurPartial(target) && pathExists(join(target.outDir, target.summary.name));
}

export function existingTargetError(outDir: string, summary: MetadataSummary): SwarmError {
  return errors.exists(join(outDir, summary.name));
}

/**
 * Called once the metadata is known, before anything is written. Throws EXISTS when
 * `<out>/<name>` exists and is neither our partial download nor allowed by --force.
 * Returns whether this is a resume.
 */
export function prepareOutputTarget(target: OutputTarget): { isResume: boolean } {
  const { outDir, stateDir, infoHash, summary } = target;
  const isResume = isOurPartial(target);
  if (!isResume && pathExists(join(outDir, summary.name))) {
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
