/**
 * Key and trust files must never be left half-written: a crash or a full disk
 * while writing leaves the old file in place, because the new content goes to a
 * temporary file that is fsynced and then renamed over the old one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { errors, type SwarmError, systemErrorCode } from '../errors.js';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (error) {
    throw unwritable(dir, error);
  }
}

export function writeFileAtomic(path: string, content: string): void {
  const dir = dirname(path);
  ensurePrivateDir(dir);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', PRIVATE_FILE_MODE);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw unwritable(path, error);
  }
}

/** The file's text, or undefined when it does not exist yet. */
export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return undefined;
    throw errors.unreadable(path, systemErrorCode(error) ?? String(error), error);
  }
}

function unwritable(path: string, error: unknown): SwarmError {
  return errors.unwritable(path, systemErrorCode(error) ?? String(error), error);
}
