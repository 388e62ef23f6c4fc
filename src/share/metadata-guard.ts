/**
 * File names in torrent metadata come from a peer: they must not escape the output
 * directory or name a device. parse-torrent quietly normalises `..` away, so the raw
 * info dictionary is checked before webtorrent sees it, and a bad torrent is refused
 * outright rather than silently renamed.
 */
import bencode from 'bencode';
import { SwarmError } from '../errors.js';

const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
// Control and bidi characters too: names are printed, and must not drive the terminal.
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069/\\]/;
// Characters webtorrent's store silently strips (filename-reserved-regex): refusing them
// keeps the name we check identical to the name written.
const RESERVED_CHARACTERS = /[<>:"|?*]/;
const MAX_COMPONENT_BYTES = 255;
const MAX_FILES = 100_000;

export interface MetadataSummary {
  name: string;
  files: { path: string[]; length: number }[];
}

function badName(component: string, why: string): SwarmError {
  const shown = JSON.stringify(component).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new SwarmError('UNSAFE_NAME', `refusing torrent: file name ${shown} ${why}`, {
    hint: 'the sharer (or a peer) sent metadata that would write outside the download directory; nothing was written',
  });
}

/** Throws UNSAFE_NAME unless `component` is a plain file or directory name. */
export function checkNameComponent(component: string): void {
  if (component === '') throw badName(component, 'is empty');
  if (component === '.' || component === '..') throw badName(component, 'is a relative path step');
  if (FORBIDDEN_CHARACTERS.test(component)) throw badName(component, 'contains a path separator or control character');
  if (RESERVED_CHARACTERS.test(component)) throw badName(component, 'contains a character not allowed in file names (<>:"|?*)');
  if (WINDOWS_DEVICE_NAME.test(component)) throw badName(component, 'is a device name');
  if (Buffer.byteLength(component) > MAX_COMPONENT_BYTES) throw badName(component.slice(0, 40), 'is too long');
}

function text(value: unknown): string {
  if (value instanceof Uint8Array) return new TextDecoder('utf-8', { fatal: false }).decode(value);
  if (typeof value === 'string') return value;
  throw new SwarmError('BAD_METADATA', 'refusing torrent: malformed metadata (a name is not a string)');
}

/** Decodes a bencoded torrent (or bare info dictionary) and checks every name in it. */
export function checkTorrentMetadata(metadata: Uint8Array): MetadataSummary {
  let decoded: any;
  try {
    decoded = bencode.decode(metadata);
  } catch {
    throw new SwarmError('BAD_METADATA', 'refusing torrent: metadata is not valid bencode');
  }
  const info = decoded?.info ?? decoded;
  if (!info || typeof info !== 'object') throw new SwarmError('BAD_METADATA', 'refusing torrent: metadata has no info dictionary');
  const name = text(info['name.utf-8'] ?? info.name);
  checkNameComponent(name);
  const files: MetadataSummary['files'] = [];
  if (Array.isArray(info.files)) {
    if (info.files.length > MAX_FILES) throw new SwarmError('BAD_METADATA', 'refusing torrent: too many files');
    for (const file of info.files) {
      const rawPath = file?.['path.utf-8'] ?? file?.path;
      if (!Array.isArray(rawPath) || rawPath.length === 0) {
        throw new SwarmError('BAD_METADATA', 'refusing torrent: a file has no path');
      }
      const path = rawPath.map(text);
      path.forEach(checkNameComponent);
      files.push({ path, length: Number(file.length) });
    }
  } else {
    files.push({ path: [], length: Number(info.length) });
  }
  return { name, files };
}
