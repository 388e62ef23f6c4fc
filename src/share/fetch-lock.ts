/**
 * One `swarm get` per download: `<SWARM_HOME>/locks/<infohash>.lock` holds the pid of the
 * process fetching it, created exclusively (beside `partial/`, whose records stay one per
 * interrupted download), so a second get of the same magnet says
 * "already fetching this in another swarm process (pid N)" instead of both writing the
 * same `.part` files. A lock left by a process that died (SIGKILL, a crash) is taken over:
 * its pid no longer runs.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, systemErrorCode } from '../errors.js';

export interface FetchLock {
  readonly path: string;
  release(): void;
}

const LOCK_DIR = 'locks';

export function fetchLockPath(stateDir: string, infoHash: string): string {
  return join(stateDir, LOCK_DIR, `${infoHash}.lock`);
}

export function acquireFetchLock(stateDir: string, infoHash: string): FetchLock {
  const path = fetchLockPath(stateDir, infoHash);
  try {
    mkdirSync(join(stateDir, LOCK_DIR), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw errors.stateUnwritable(join(stateDir, LOCK_DIR), systemErrorCode(error) ?? String(error));
  }
  // Twice at most: the second try follows removing a dead process's lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return { path, release: () => releaseIfOurs(path) };
    } catch (error) {
      if (systemErrorCode(error) !== 'EEXIST') throw errors.stateUnwritable(path, systemErrorCode(error) ?? String(error));
    }
    const holder = lockHolder(path);
    if (holder !== undefined && isRunning(holder)) throw errors.alreadyFetching(holder, path);
    rmSync(path, { force: true });
  }
  throw errors.stateUnwritable(path, 'another process keeps replacing the lock');
}

function lockHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return systemErrorCode(error) === 'EPERM'; // someone else's process: it runs
  }
}

function releaseIfOurs(path: string): void {
  if (lockHolder(path) === process.pid) rmSync(path, { force: true });
}
