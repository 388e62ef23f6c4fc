/**
 * Where trusted peers were last reached, so `swarm chat --peer alice` works once alice has
 * been linked to before, and so dialling a bare `host:port` (handshake v2 is addressed to a
 * key) tries the key last seen there first instead of searching the whole trust list
 * (docs/protocol.md, dialling by address only): `<SWARM_HOME>/known-addresses.json`, per trusted key its most
 * recent addresses, newest first. A cache, not a record: an unreadable or malformed file
 * is treated as empty (and replaced on the next write), only keys trusted at the time are
 * kept, and it is bounded in keys and addresses per key. Written atomically, and only
 * when something changed (a peer that reconnects often does not rewrite it).
 *
 * An address we dialled is where the peer listens. A peer that dialled us only tells us
 * its host: its port was a random outgoing one, so that entry has no port (the dialler
 * then tries the default port).
 */
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { encodeKeyText } from './key-text.js';

export const KNOWN_ADDRESSES_FILE = 'known-addresses.json';
export const MAX_KNOWN_KEYS = 256;
export const MAX_ADDRESSES_PER_KEY = 4;
const FORMAT_VERSION = 1;
/** Longer than any host name (253) or IPv6 text; anything longer is not an address. */
const MAX_HOST_CHARS = 255;

export interface KnownAddress {
  host: string;
  /** The listening port; absent when the peer dialled us (we only know its host). */
  port?: number;
  /** When it was last linked at this address (ms since the epoch). */
  seenAtMs: number;
}

interface KnownAddressesFile {
  version: number;
  peers: Record<string, KnownAddress[]>;
}

/** What SwarmNode needs of it: which keys to try at an address, and which one answered. */
export interface AddressBook {
  /** `keys` reordered: seen at exactly `host:port` (newest first), then seen at `host`, then the rest in their order. */
  order(host: string, port: number, keys: Uint8Array[]): Uint8Array[];
  /** We dialled `host:port` and `key` answered. */
  rememberAnswer(host: string, port: number, key: Uint8Array): void;
}

export class KnownAddresses implements AddressBook {
  private constructor(
    private readonly path: string,
    private readonly byKey: Map<string, KnownAddress[]>,
    private readonly isTrusted: (keyText: string) => boolean,
  ) {}

  /** Reads the file (missing or damaged: empty), keeping only keys `isTrusted` accepts. */
  static load(home: string, isTrusted: (keyText: string) => boolean): KnownAddresses {
    const path = join(home, KNOWN_ADDRESSES_FILE);
    const byKey = new Map<string, KnownAddress[]>();
    let text: string | undefined;
    try {
      text = readFileIfExists(path);
    } catch {
      text = undefined;
    }
    const peers = parsePeers(text);
    for (const [keyText, list] of Object.entries(peers).slice(0, MAX_KNOWN_KEYS)) {
      if (!isTrusted(keyText) || !Array.isArray(list)) continue;
      const addresses = list.filter(isKnownAddress).slice(0, MAX_ADDRESSES_PER_KEY);
      if (addresses.length > 0) byKey.set(keyText, addresses);
    }
    return new KnownAddresses(path, byKey, isTrusted);
  }

  /** Newest first; with no port, the peer's listening port is not known. */
  addressesOf(keyText: string): KnownAddress[] {
    return (this.byKey.get(keyText) ?? []).map((address) => ({ ...address }));
  }

  /**
   * A trusted peer was linked at `host` (`port` when we dialled it). Writes the file when
   * the newest address changed; returns false when nothing was written.
   */
  remember(keyText: string, host: string, port: number | undefined, nowMs = Date.now()): boolean {
    if (!this.isTrusted(keyText) || host.length === 0 || host.length > MAX_HOST_CHARS) return false;
    const list = this.byKey.get(keyText) ?? [];
    if (port === undefined) {
      // Only its host: nothing new if we know that host already (with or without a port).
      if (list.some((address) => address.host === host)) return false;
    } else if (list[0]?.host === host && list[0].port === port) {
      return false;
    }
    const rest = list.filter((address) => address.host !== host || (address.port !== port && address.port !== undefined));
    const entry: KnownAddress = port === undefined ? { host, seenAtMs: nowMs } : { host, port, seenAtMs: nowMs };
    this.byKey.delete(keyText); // re-inserted last: the most recently seen key is evicted last
    this.byKey.set(keyText, [entry, ...rest].slice(0, MAX_ADDRESSES_PER_KEY));
    while (this.byKey.size > MAX_KNOWN_KEYS) this.byKey.delete(this.byKey.keys().next().value!);
    this.save();
    return true;
  }

  order(host: string, port: number, keys: Uint8Array[]): Uint8Array[] {
    const ranked = keys.map((key, index) => {
      const list = this.byKey.get(encodeKeyText(key)) ?? [];
      const exact = list.find((address) => address.host === host && address.port === port);
      const seen = exact ?? list.find((address) => address.host === host);
      // Tier 0: seen at this host:port; 1: at this host on another port; 2: never here.
      return { key, index, tier: exact ? 0 : seen ? 1 : 2, seenAtMs: seen?.seenAtMs ?? 0 };
    });
    ranked.sort((a, b) => a.tier - b.tier || b.seenAtMs - a.seenAtMs || a.index - b.index);
    return ranked.map((item) => item.key);
  }

  rememberAnswer(host: string, port: number, key: Uint8Array): void {
    try {
      this.remember(encodeKeyText(key), host, port);
    } catch {
      // A cache that cannot be written costs a search next time, nothing more.
    }
  }

  /** Where to dial `keyText`: the newest address we dialled it at, else the newest host it came from. */
  dialAddressOf(keyText: string, defaultPort: number): { host: string; port: number } | undefined {
    const list = this.byKey.get(keyText) ?? [];
    const dialled = list.find((address) => address.port !== undefined);
    if (dialled) return { host: dialled.host, port: dialled.port! };
    return list[0] && { host: list[0].host, port: defaultPort };
  }

  private save(): void {
    const peers: Record<string, KnownAddress[]> = {};
    // Someone revoked since we loaded is not written back.
    for (const [keyText, list] of this.byKey) if (this.isTrusted(keyText)) peers[keyText] = list;
    const file: KnownAddressesFile = { version: FORMAT_VERSION, peers };
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }
}

function parsePeers(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const file = JSON.parse(text) as Partial<KnownAddressesFile> | null;
    if (!file || file.version !== FORMAT_VERSION || typeof file.peers !== 'object' || file.peers === null || Array.isArray(file.peers)) return {};
    return file.peers;
  } catch {
    return {};
  }
}

function isKnownAddress(value: unknown): value is KnownAddress {
  if (typeof value !== 'object' || value === null) return false;
  const { host, port, seenAtMs } = value as Record<string, unknown>;
  if (typeof host !== 'string' || host.length === 0 || host.length > MAX_HOST_CHARS) return false;
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)) return false;
  return typeof seenAtMs === 'number' && Number.isFinite(seenAtMs);
}
