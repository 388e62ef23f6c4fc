/**
 * Torrent metadata comes from a peer, and a trusted peer's key can be stolen: the raw
 * info dictionary is checked before webtorrent sees it, and a bad torrent is refused
 * outright rather than silently renamed (parse-torrent quietly normalises `..` away).
 *
 * 1. It must be what the user was shown: the name equals the magnet's `dn` and the total
 *    size its `xl`, when the link has them.
 * 2. Every name is a plain name (file-name-rules.ts); hidden names only when asked for.
 * 3. No two files land on one path after case folding and NFC, and no file stands where
 *    another file needs a folder.
 * 4. Numbers are sane: lengths in 0..2^40, piece length in 16 KiB..16 MiB, one SHA-1
 *    per piece.
 */
import bencode from 'bencode';
import { errors } from '../errors.js';
import { checkNameComponent, checkNotHidden, collisionKey, showName } from './file-name-rules.js';
import { installStrictBencode } from './strict-bencode.js';

export { checkNameComponent } from './file-name-rules.js';

const MAX_FILES = 100_000;
const MAX_PATH_DEPTH = 64;
/** Above what ut_metadata could ever carry for MAX_FILES files; decoding stays bounded. */
export const MAX_METADATA_BYTES = 32 * 1024 * 1024;
export const MAX_LENGTH_BYTES = 2 ** 40;
export const MIN_PIECE_BYTES = 16 * 1024;
export const MAX_PIECE_BYTES = 16 * 1024 * 1024;
const SHA1_BYTES = 20;

export interface MetadataSummary {
  name: string;
  files: { path: string[]; length: number }[];
  /** Sum of the file lengths. */
  length: number;
  pieceLength: number;
}

/** What the user was shown (the magnet's dn and xl) and what they allowed. */
export interface MetadataExpectations {
  name?: string;
  length?: number;
  isHiddenAllowed?: boolean;
}

const malformed = errors.badMetadata;

function text(value: unknown): string {
  if (value instanceof Uint8Array) return new TextDecoder('utf-8', { fatal: false }).decode(value);
  throw malformed('malformed metadata (a name is not a string)');
}

function byteCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_LENGTH_BYTES) {
    throw malformed(`${what} ${typeof value === 'number' ? value : 'is missing or not a number'} is outside 0..2^40 bytes`);
  }
  return value;
}

function decodeInfo(metadata: Uint8Array): Record<string, unknown> {
  if (metadata.length > MAX_METADATA_BYTES) throw malformed('metadata is too large');
  installStrictBencode();
  let decoded: unknown;
  try {
    decoded = bencode.decode(metadata);
  } catch {
    throw malformed('metadata is not valid bencode');
  }
  const outer = decoded as { info?: unknown } | null;
  const info = isDictionary(outer) && isDictionary(outer.info) ? outer.info : outer;
  if (!isDictionary(info)) throw malformed('metadata has no info dictionary');
  return info;
}

function isDictionary(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function readFiles(info: Record<string, any>): MetadataSummary['files'] {
  if (info.files === undefined) return [{ path: [], length: byteCount(info.length, 'file length') }];
  if (!Array.isArray(info.files) || info.files.length === 0) throw malformed('the file list is empty or not a list');
  if (info.files.length > MAX_FILES) throw malformed('too many files');
  return info.files.map((file: unknown) => {
    const rawPath = isDictionary(file) ? file['path.utf-8'] ?? file.path : undefined;
    if (!Array.isArray(rawPath) || rawPath.length === 0) throw malformed('a file has no path');
    if (rawPath.length > MAX_PATH_DEPTH) throw malformed('a file path is too deep');
    return { path: rawPath.map(text), length: byteCount((file as Record<string, unknown>).length, 'file length') };
  });
}

/** Refuses two files on one path (after folding) and a file where a folder is needed. */
function checkCollisions(name: string, files: MetadataSummary['files']): void {
  const fileKeys = new Map<string, string>();
  const folderKeys = new Map<string, string>();
  for (const file of files) {
    const parts = [name, ...file.path];
    const shown = parts.join('/');
    const keys = parts.map(collisionKey);
    for (let depth = 1; depth < keys.length; depth++) folderKeys.set(keys.slice(0, depth).join('/'), parts.slice(0, depth).join('/'));
    const key = keys.join('/');
    const earlier = fileKeys.get(key);
    if (earlier !== undefined) {
      throw errors.unsafeName(`${showName(earlier)} and ${showName(shown)} are the same file on a case-insensitive or normalising disk`);
    }
    fileKeys.set(key, shown);
  }
  for (const [key, shown] of fileKeys) {
    const folder = folderKeys.get(key);
    if (folder !== undefined) throw errors.unsafeName(`${showName(shown)} is both a file and the folder ${showName(folder)}`);
  }
}

/** Decodes a bencoded torrent (or bare info dictionary) and checks it; see the top of the file. */
export function checkTorrentMetadata(metadata: Uint8Array, expected: MetadataExpectations = {}): MetadataSummary {
  const info = decodeInfo(metadata);
  const name = text(info['name.utf-8'] ?? info.name);
  if (expected.name !== undefined && name !== expected.name) {
    throw errors.nameMismatch(showName(expected.name), showName(name));
  }
  const files = readFiles(info);
  for (const component of [name, ...files.flatMap((file) => file.path)]) {
    checkNameComponent(component);
    if (!expected.isHiddenAllowed) checkNotHidden(component);
  }
  checkCollisions(name, files);
  const length = files.reduce((sum, file) => sum + file.length, 0);
  if (length > MAX_LENGTH_BYTES) throw malformed(`the total size ${length} is over 2^40 bytes`);
  if (expected.length !== undefined && length !== expected.length) {
    throw errors.sizeMismatch(expected.length, length);
  }
  const pieceLength = info['piece length'];
  if (typeof pieceLength !== 'number' || !Number.isSafeInteger(pieceLength) || pieceLength < MIN_PIECE_BYTES || pieceLength > MAX_PIECE_BYTES) {
    throw malformed(`piece length ${typeof pieceLength === 'number' ? pieceLength : '(missing)'} is outside 16 KiB..16 MiB`);
  }
  const pieces = info.pieces;
  if (!(pieces instanceof Uint8Array) || pieces.length !== SHA1_BYTES * Math.ceil(length / pieceLength)) {
    throw malformed('the piece hash list does not match the size');
  }
  return { name, files, length, pieceLength };
}
