/**
 * The allowlist: the keys this node accepts, each under a unique name.
 *
 * Stored as `<home>/trust.json`, written atomically with mode 0600. A damaged file
 * is reported and left alone: silently starting from an empty list would lose the
 * user's data, and silently trusting nobody would look like a network fault.
 * A running node calls watch() so that a key removed by `swarm trust remove` in
 * another process loses its connections within seconds.
 */
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { errors, usageError } from '../errors.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { decodeKeyText, encodeKeyText, fingerprint, isKeyText } from './key-text.js';
import { parseVersionedJson } from './versioned-json.js';

export interface TrustEntry {
  name: string;
  key: string;
  publicKey: Uint8Array;
  added: string;
}

export const TRUST_FILE = 'trust.json';
const FORMAT_VERSION = 1;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

interface TrustFile {
  version: number;
  peers: { name: string; key: string; added: string }[];
}

export class TrustStore {
  private entries: TrustEntry[];
  private lastText: string | undefined;

  private constructor(readonly path: string, entries: TrustEntry[], text: string | undefined) {
    this.entries = entries;
    this.lastText = text;
  }

  static load(home: string): TrustStore {
    const path = join(home, TRUST_FILE);
    const text = readFileIfExists(path);
    return new TrustStore(path, text === undefined ? [] : parseTrustFile(text, path), text);
  }

  list(): TrustEntry[] {
    return [...this.entries];
  }

  allows(publicKey: Uint8Array): boolean {
    return this.entryFor(publicKey) !== undefined;
  }

  nameOf(publicKey: Uint8Array): string | undefined {
    return this.entryFor(publicKey)?.name;
  }

  find(nameOrKeyText: string): TrustEntry | undefined {
    const wanted = nameOrKeyText.trim();
    const byName = this.entries.find((entry) => entry.name === wanted);
    if (byName || !isKeyText(wanted)) return byName;
    return this.entryFor(decodeKeyText(wanted));
  }

  add(keyText: string, name?: string): TrustEntry {
    const publicKey = decodeKeyText(keyText);
    const chosenName = name ?? defaultName(publicKey);
    validateName(chosenName);
    const existingKey = this.entryFor(publicKey);
    if (existingKey) {
      throw errors.duplicateKey(existingKey.name, chosenName);
    }
    if (this.entries.some((entry) => entry.name === chosenName)) {
      throw errors.duplicateName(chosenName);
    }
    const entry: TrustEntry = { name: chosenName, key: encodeKeyText(publicKey), publicKey, added: new Date().toISOString() };
    this.save([...this.entries, entry]);
    return entry;
  }

  remove(nameOrKeyText: string): TrustEntry {
    const entry = this.find(nameOrKeyText);
    if (!entry) {
      throw errors.unknownPeer(nameOrKeyText);
    }
    this.save(this.entries.filter((other) => other !== entry));
    return entry;
  }

  /** Re-reads the file; true when the set of trusted keys or names changed. */
  reload(): boolean {
    const text = readFileIfExists(this.path);
    if (text === this.lastText) return false;
    this.entries = text === undefined ? [] : parseTrustFile(text, this.path);
    this.lastText = text;
    return true;
  }

  /**
   * Polls the file (fs.watch misses atomic renames on some file systems). A damaged
   * file keeps the last good list in force and is reported through onError.
   */
  watch(onChange: () => void, intervalMs = 500, onError: (error: unknown) => void = () => {}): () => void {
    let lastStamp = fileStamp(this.path);
    const timer = setInterval(() => {
      const stamp = fileStamp(this.path);
      if (stamp === lastStamp) return;
      lastStamp = stamp;
      try {
        if (this.reload()) onChange();
      } catch (error) {
        onError(error);
      }
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private entryFor(publicKey: Uint8Array): TrustEntry | undefined {
    return this.entries.find((entry) => Buffer.from(entry.publicKey).equals(publicKey));
  }

  private save(entries: TrustEntry[]): void {
    // Re-read first so that a change made by another process since load() is not lost.
    const current = readFileIfExists(this.path);
    if (current !== this.lastText) {
      throw errors.trustChanged(this.path);
    }
    const file: TrustFile = {
      version: FORMAT_VERSION,
      peers: entries.map(({ name, key, added }) => ({ name, key, added })),
    };
    const text = `${JSON.stringify(file, null, 2)}\n`;
    writeFileAtomic(this.path, text);
    this.entries = entries;
    this.lastText = text;
  }
}

export function validateName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw usageError(
      `invalid name ${JSON.stringify(name)}`,
      'a name is 1-32 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  if (name.startsWith('swarm1')) throw usageError(`invalid name ${JSON.stringify(name)}`, 'a name must not look like a key');
}

function defaultName(publicKey: Uint8Array): string {
  return `peer-${fingerprint(publicKey).replaceAll(':', '').slice(0, 8)}`;
}

function fileStamp(path: string): string {
  try {
    const stats = statSync(path);
    return `${stats.mtimeMs}:${stats.size}:${stats.ino}`;
  } catch {
    return 'missing';
  }
}

function parseTrustFile(text: string, path: string): TrustEntry[] {
  const corrupt = (why: string) => errors.corruptTrust(path, why);
  const file = parseVersionedJson<TrustFile>(text, FORMAT_VERSION, corrupt);
  if (!Array.isArray(file.peers)) throw corrupt('no "peers" list');
  const entries: TrustEntry[] = [];
  for (const [index, peer] of file.peers.entries()) {
    if (!peer || typeof peer.name !== 'string' || typeof peer.key !== 'string' || !NAME_PATTERN.test(peer.name)) {
      throw corrupt(`entry ${index + 1} is malformed`);
    }
    let publicKey: Uint8Array;
    try {
      publicKey = decodeKeyText(peer.key);
    } catch {
      throw corrupt(`entry ${index + 1} ("${peer.name}") has an invalid key`);
    }
    if (entries.some((entry) => entry.name === peer.name || Buffer.from(entry.publicKey).equals(publicKey))) {
      throw corrupt(`entry ${index + 1} ("${peer.name}") repeats a name or key`);
    }
    entries.push({ name: peer.name, key: peer.key, publicKey, added: typeof peer.added === 'string' ? peer.added : '' });
  }
  return entries;
}
