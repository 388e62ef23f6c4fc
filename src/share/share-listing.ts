/**
 * What `swarm share <path>` puts in the torrent: the regular files under the path, found
 * without following a single symlink. The path the user names may itself be a link (they
 * chose it); nothing below it is followed, because
 * - a link that leaves the folder would ship a file the user never chose (`link ->
 *   ../secret.txt`), and one whose target is checked now can be re-pointed later;
 * - a link inside the folder only repeats bytes already shared under their real name, and
 *   a directory link inside (`sub/up -> ..`) is a loop; getters write plain files, so a
 *   link could not arrive as a link anyway. One rule, "links are skipped", is easy to check.
 * Also skipped, each with a reason the CLI prints: hidden names (unless asked for: getters
 * refuse them without --allow-hidden, and `.git` or `.env` often hold what should not leave
 * the machine), names or depths getters refuse, names that collide with a sibling on a
 * case-insensitive disk (the getter would refuse the whole share), special files (a FIFO
 * would hang the reader), unreadable entries, and a directory seen twice (a bind-mount loop).
 */
import { accessSync, constants, lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { errors, isSwarmError, systemErrorCode } from '../errors.js';
import { checkNameComponent, collisionKey } from './file-name-rules.js';

/** The most files a getter accepts in one torrent (metadata-guard.ts). */
export const MAX_SHARE_FILES = 100_000;
/** Folder depth a getter accepts below the share's own name (metadata-guard.ts allows 64 path parts). */
export const MAX_SHARE_DEPTH = 64;

export type SkipReason =
  | 'link-outside' // symlink whose target is outside the shared folder
  | 'link-inside' // symlink whose target is inside the shared folder
  | 'link-broken' // symlink that resolves to nothing (dangling, or a loop)
  | 'hidden' // name starting with "."
  | 'refused-name' // a name or depth getters refuse
  | 'collision' // same name as a sibling on a case-insensitive disk
  | 'special' // FIFO, socket or device
  | 'unreadable' // permission denied
  | 'loop'; // a directory already listed (bind mount)

export interface SkippedEntry {
  /** Shown path: the share's name, then the path inside it, joined with "/". */
  path: string;
  reason: SkipReason;
  /** For links: what the link says (its target text). */
  target?: string;
}

export interface ListedFile {
  /** Path parts below the share's name ([] when the share is a single file). */
  parts: string[];
  absolutePath: string;
  size: number;
  /** What the piece-hash cache compares: a file with any of these changed is hashed again. */
  identity: { mtimeNs: string; ctimeNs: string; ino: string; dev: string };
}

export interface ShareListing {
  /** Absolute path as given (not resolved through a link, so the name is the one typed). */
  root: string;
  /** The torrent's name: the last part of root. */
  name: string;
  isDirectory: boolean;
  files: ListedFile[];
  totalBytes: number;
  skipped: SkippedEntry[];
  /** Hidden names included (only with includeHidden, or a hidden root): getters need --allow-hidden. */
  hiddenIncluded: string[];
}

export interface ListOptions {
  /** Share names starting with "." instead of skipping them. */
  includeHidden?: boolean;
}

/** Lists what sharing `path` would send; throws NOT_FOUND, NO_ACCESS or NOT_SHAREABLE. */
export function listShare(path: string, options: ListOptions = {}): ShareListing {
  const root = resolve(path);
  const name = basename(root);
  let rootStat: BigIntStats;
  try {
    rootStat = statSync(root, { bigint: true });
  } catch (error) {
    throw pathError(path, error);
  }
  if (!rootStat.isFile() && !rootStat.isDirectory()) throw errors.notShareable(path, 'not a regular file or directory');
  const listing: ShareListing = {
    root, name, isDirectory: rootStat.isDirectory(), files: [], totalBytes: 0, skipped: [], hiddenIncluded: [],
  };
  checkRootName(path, name);
  if (name.startsWith('.')) listing.hiddenIncluded.push(name);
  if (!listing.isDirectory) {
    checkReadable(root, path);
    addFile(listing, [], root, rootStat);
    return listing;
  }
  const walker = new Walker(listing, realpathOf(root, path), options);
  walker.walkDirectory(root, [], rootStat);
  if (listing.files.length === 0) throw errors.nothingToShare(path, listing.skipped.length);
  return listing;
}

class Walker {
  private readonly seenDirectories = new Set<string>();

  constructor(private readonly listing: ShareListing, private readonly realRoot: string, private readonly options: ListOptions) {}

  walkDirectory(directory: string, parts: string[], stat: BigIntStats): void {
    const id = `${stat.dev}:${stat.ino}`;
    if (this.seenDirectories.has(id)) return this.skip(parts, 'loop');
    this.seenDirectories.add(id);
    let names: string[];
    try {
      names = readdirSync(directory).sort();
    } catch (error) {
      if (isPermissionError(error)) return this.skip(parts, 'unreadable');
      throw errors.notShareable(directory, (error as Error).message);
    }
    const siblings = new Set<string>();
    for (const name of names) {
      const childParts = [...parts, name];
      if (name.startsWith('.') && !this.options.includeHidden) {
        this.skip(childParts, 'hidden');
        continue;
      }
      if (!isAcceptedName(name) || childParts.length > MAX_SHARE_DEPTH) {
        this.skip(childParts, 'refused-name');
        continue;
      }
      const key = collisionKey(name);
      if (siblings.has(key)) {
        this.skip(childParts, 'collision');
        continue;
      }
      siblings.add(key);
      this.visit(join(directory, name), childParts);
    }
  }

  private visit(path: string, parts: string[]): void {
    let stat: BigIntStats;
    try {
      stat = lstatSync(path, { bigint: true });
    } catch (error) {
      if (isPermissionError(error)) return this.skip(parts, 'unreadable');
      if (systemErrorCode(error) === 'ENOENT') return; // removed while we looked
      throw errors.notShareable(path, (error as Error).message);
    }
    if (stat.isSymbolicLink()) return this.skipLink(path, parts);
    if (parts.at(-1)!.startsWith('.')) this.listing.hiddenIncluded.push(parts.join('/'));
    if (stat.isDirectory()) return this.walkDirectory(path, parts, stat);
    if (!stat.isFile()) return this.skip(parts, 'special');
    try {
      accessSync(path, constants.R_OK);
    } catch {
      return this.skip(parts, 'unreadable');
    }
    if (this.listing.files.length >= MAX_SHARE_FILES) throw errors.tooManyFiles(this.listing.root, MAX_SHARE_FILES);
    addFile(this.listing, parts, path, stat);
  }

  private skipLink(path: string, parts: string[]): void {
    const target = readLinkText(path);
    let resolved: string;
    try {
      resolved = realpathSync(path);
    } catch {
      return this.skip(parts, 'link-broken', target);
    }
    this.skip(parts, isWithin(this.realRoot, resolved) ? 'link-inside' : 'link-outside', target);
  }

  private skip(parts: string[], reason: SkipReason, target?: string): void {
    this.listing.skipped.push({ path: [this.listing.name, ...parts].join('/'), reason, ...(target === undefined ? {} : { target }) });
  }
}

function addFile(listing: ShareListing, parts: string[], absolutePath: string, stat: BigIntStats): void {
  const size = Number(stat.size);
  listing.files.push({
    parts,
    absolutePath,
    size,
    identity: { mtimeNs: String(stat.mtimeNs), ctimeNs: String(stat.ctimeNs), ino: String(stat.ino), dev: String(stat.dev) },
  });
  listing.totalBytes += size;
}

function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep));
}

/** Getters refuse a share whose own name they refuse: say so now, not after they ask. */
function checkRootName(shown: string, name: string): void {
  try {
    checkNameComponent(name);
  } catch (error) {
    if (!isSwarmError(error)) throw error;
    throw errors.notShareable(shown, `getters refuse its name (${error.reason ?? error.message})`);
  }
}

function isAcceptedName(name: string): boolean {
  try {
    checkNameComponent(name);
    return true;
  } catch (error) {
    if (isSwarmError(error)) return false;
    throw error;
  }
}

function readLinkText(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function realpathOf(root: string, shown: string): string {
  try {
    return realpathSync(root);
  } catch (error) {
    throw pathError(shown, error);
  }
}

function checkReadable(path: string, shown: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw pathError(shown, error);
  }
}

function pathError(shown: string, error: unknown): Error {
  const code = systemErrorCode(error);
  if (code === 'ENOENT') return errors.notFound(shown);
  if (code === 'EACCES' || code === 'EPERM') return errors.noAccess(shown);
  return errors.notShareable(shown, (error as Error).message);
}

function isPermissionError(error: unknown): boolean {
  const code = systemErrorCode(error);
  return code === 'EACCES' || code === 'EPERM';
}
