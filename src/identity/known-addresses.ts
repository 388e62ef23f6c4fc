/**
 * Which key answered at which address: `<home>/known-addresses.json`, so that dialling a
 * bare `host:port` (handshake v2 needs the responder's key) is one connection the next time
 * rather than a search through the trust list (docs/protocol.md section 1).
 *
 *   {"v":1,"entries":[{"address":"host:port","key":"swarm1…","seenMs":1764400000000}]}
 *
 * At most MAX_ENTRIES, newest kept, written atomically (mode 0600). A damaged or unreadable
 * file is treated as empty: it is a cache, and the search finds the key again.
 */
import { join } from 'node:path';
import { decodeKeyText, encodeKeyText } from './key-text.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';

export const KNOWN_ADDRESSES_FILE = 'known-addresses.json';
export const MAX_ENTRIES = 256;

interface Entry {
  address: string;
  key: string;
  seenMs: number;
}

export interface AddressBook {
  /** `keys` reordered: seen at exactly `host:port` (newest first), then seen at `host`, then the rest in their order. */
  order(host: string, port: number, keys: Uint8Array[]): Uint8Array[];
  remember(host: string, port: number, key: Uint8Array): void;
}

function addressText(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function hostOf(address: string): string {
  const end = address.lastIndexOf(':');
  return address.slice(0, end).replace(/^\[|\]$/g, '');
}

export class KnownAddresses implements AddressBook {
  private entries: Entry[];

  constructor(private readonly path: string | undefined, private readonly now: () => number = () => Date.now()) {
    this.entries = path === undefined ? [] : readEntries(path);
  }

  static load(home: string): KnownAddresses {
    return new KnownAddresses(join(home, KNOWN_ADDRESSES_FILE));
  }

  order(host: string, port: number, keys: Uint8Array[]): Uint8Array[] {
    const exact = addressText(host, port);
    const rank = new Map<string, number>();
    // Newest first; an exact address outranks the same host on another port.
    const byRecency = [...this.entries].sort((a, b) => b.seenMs - a.seenMs);
    byRecency.forEach((entry, index) => {
      const score = entry.address === exact ? index : hostOf(entry.address) === host ? MAX_ENTRIES + index : undefined;
      if (score !== undefined && !rank.has(entry.key)) rank.set(entry.key, score);
    });
    const scored = keys.map((key, index) => ({ key, score: rank.get(encodeKeyText(key)) ?? 2 * MAX_ENTRIES + index }));
    return scored.sort((a, b) => a.score - b.score).map((item) => item.key);
  }

  remember(host: string, port: number, key: Uint8Array): void {
    const address = addressText(host, port);
    const keyText = encodeKeyText(key);
    this.entries = this.entries.filter((entry) => !(entry.address === address && entry.key === keyText));
    this.entries.push({ address, key: keyText, seenMs: this.now() });
    if (this.entries.length > MAX_ENTRIES) this.entries = this.entries.sort((a, b) => b.seenMs - a.seenMs).slice(0, MAX_ENTRIES);
    if (this.path === undefined) return;
    try {
      writeFileAtomic(this.path, `${JSON.stringify({ v: 1, entries: this.entries })}\n`);
    } catch {
      // A cache that cannot be written costs a search next time, nothing more.
    }
  }
}

function readEntries(path: string): Entry[] {
  try {
    const parsed = JSON.parse(readFileIfExists(path) ?? '{"v":1,"entries":[]}') as { v?: unknown; entries?: unknown };
    if (parsed.v !== 1 || !Array.isArray(parsed.entries)) return [];
    return (parsed.entries as Partial<Entry>[])
      .filter((entry): entry is Entry => typeof entry.address === 'string' && typeof entry.key === 'string' && typeof entry.seenMs === 'number' && isKey(entry.key))
      .slice(-MAX_ENTRIES);
  } catch {
    return [];
  }
}

function isKey(text: string): boolean {
  try {
    decodeKeyText(text);
    return true;
  } catch {
    return false;
  }
}
