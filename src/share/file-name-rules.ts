/**
 * Which file and folder names a download may create. Names come from a peer's metadata,
 * so each one must be a plain name on every system the user might copy the files to:
 * no path steps or separators, nothing a terminal or Windows would reinterpret, and
 * (unless the user asks for them) no hidden names: `.bash_profile` or `.ssh` written
 * into a home directory is a takeover, not a download.
 */
import { errors, type SwarmError } from '../errors.js';

// Windows treats these as devices whatever follows the first dot, and ignores trailing
// spaces before it: "con .txt" and "COM¹.tar.gz" open the device too.
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;
// Control and bidi characters too: names are printed, and must not drive the terminal.
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069/\\]/;
// Characters Windows refuses (and webtorrent's default store would silently strip).
const RESERVED_CHARACTERS = /[<>:"|?*]/;
const MAX_COMPONENT_BYTES = 255;

/** A name as it is safe to print: JSON-quoted, invisible characters spelled out. */
export function showName(name: string): string {
  return JSON.stringify(name).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function badName(component: string, why: string): SwarmError {
  return errors.unsafeName(`file name ${showName(component)} ${why}`, 'the sharer (or a peer) sent metadata that would write outside the download directory; nothing was written');
}

export function isWindowsDeviceName(component: string): boolean {
  const base = component.split('.')[0]!.replace(/ +$/, '');
  return WINDOWS_DEVICE_NAME.test(base);
}

/** Throws UNSAFE_NAME unless `component` is a plain file or directory name. */
export function checkNameComponent(component: string): void {
  if (component === '') throw badName(component, 'is empty');
  if (component === '.' || component === '..') throw badName(component, 'is a relative path step');
  if (FORBIDDEN_CHARACTERS.test(component)) throw badName(component, 'contains a path separator or control character');
  if (RESERVED_CHARACTERS.test(component)) throw badName(component, 'contains a character not allowed in file names (<>:"|?*)');
  if (isWindowsDeviceName(component)) throw badName(component, 'is a device name');
  // Windows drops a trailing dot or space, so "a." would land on "a".
  if (/[. ]$/.test(component)) throw badName(component, 'ends with a dot or space');
  if (Buffer.byteLength(component) > MAX_COMPONENT_BYTES) throw badName(component.slice(0, 40), 'is too long');
}

/** Throws HIDDEN_NAME for a name starting with "." (the caller decides whether to ask). */
export function checkNotHidden(component: string): void {
  if (!component.startsWith('.')) return;
  throw errors.hiddenName(showName(component));
}

/**
 * The key under which two names land on the same file on a case-insensitive or
 * normalising file system (macOS, Windows): Unicode NFC, then case folded. Upper- then
 * lower-casing also folds "ß"/"SS" and "ſ"/"s".
 */
export function collisionKey(component: string): string {
  return component.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}
