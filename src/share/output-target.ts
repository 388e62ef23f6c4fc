/**
 * Where a download lands and when it may touch what is already there. A download goes
 * to `<out>/<name>`; an existing file there is only written to when it is our own
 * interrupted download (a marker `<out>/.swarm-partial-<infohash>` says so) or with
 * --force, which removes the files the torrent will write (and nothing else) first.
 */
import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SwarmError, systemErrorCode } from '../errors.js';
import type { MetadataSummary } from './metadata-guard.js';

export function partialMarkerPath(outDir: string, infoHash: string): string {
  return join(outDir, `.swarm-partial-${infoHash}`);
}

export function ensureOutputDirectory(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new SwarmError('BAD_OUTPUT', `cannot use output directory ${outDir}: ${systemErrorCode(error) ?? (error as Error).message}`);
  }
}

/** Paths (relative to outDir) of every file the torrent writes. */
export function filePaths(summary: MetadataSummary): string[][] {
  return summary.files.map((file) => [summary.name, ...file.path]);
}

/** True when `<out>/<name>` exists and is neither our partial download nor allowed by --force. */
export function isBlockedByExistingTarget(outDir: string, infoHash: string, summary: MetadataSummary, isForced: boolean): boolean {
  return !isForced && !existsSync(partialMarkerPath(outDir, infoHash)) && pathExists(join(outDir, summary.name));
}

export function existingTargetError(outDir: string, summary: MetadataSummary): SwarmError {
  return new SwarmError('EXISTS', `${join(outDir, summary.name)} already exists and differs from the download; not overwriting it`, {
    hint: 'use -o to download elsewhere, or --force to replace it',
  });
}

/**
 * Called once the metadata is known, before anything is written. Throws EXISTS when
 * `<out>/<name>` exists and is neither our partial download nor allowed by --force.
 * Returns whether this is a resume.
 */
export function prepareOutputTarget(outDir: string, infoHash: string, summary: MetadataSummary, isForced: boolean): { isResume: boolean } {
  const marker = partialMarkerPath(outDir, infoHash);
  const isResume = existsSync(marker);
  const target = join(outDir, summary.name);
  if (!isResume && pathExists(target)) {
    if (!isForced) throw existingTargetError(outDir, summary);
    for (const parts of filePaths(summary)) clearPathFor(outDir, parts);
  }
  writeFileSync(marker, `${infoHash}\n`);
  return { isResume };
}

export function finishOutputTarget(outDir: string, infoHash: string): void {
  rmSync(partialMarkerPath(outDir, infoHash), { force: true });
}

/**
 * --force: make room for one file of the download. A symlink on the way is removed
 * itself (never followed: it could point outside the output directory, and we would
 * delete or write files there); so is a file standing where a folder is needed.
 */
function clearPathFor(outDir: string, parts: string[]): void {
  for (let depth = 1; depth <= parts.length; depth++) {
    const path = join(outDir, ...parts.slice(0, depth));
    if (!pathExists(path)) return;
    const stats = lstatSync(path);
    if (stats.isSymbolicLink() || !stats.isDirectory()) {
      rmSync(path, { force: true });
      return;
    }
  }
}

function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
