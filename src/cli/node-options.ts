/**
 * The options every command that runs a node shares: --port, --host, --peer (repeatable).
 * Bad values are usage errors (exit 2) with the expected form in the hint.
 */
import type { Command } from 'commander';
import { isSwarmError, usageError } from '../errors.js';
import { decodeKeyText, KEY_TEXT_LENGTH, KEY_TEXT_PREFIX } from '../identity/key-text.js';
import { validateName } from '../identity/trust-store.js';
import { parsePeerAddress, type PeerAddress } from '../net/peer-address.js';
import { DEFAULT_PORT, type PinnedKey } from '../net/swarm-node.js';
import type { CliContext } from './context.js';

export interface NodeOptions {
  port?: number;
  host?: string;
  peer?: string[];
}

const PEER_HINT = `use host:port with a port from 1 to 65535 (a host alone means port ${DEFAULT_PORT}; name@host:port names the key), e.g. 192.168.1.20:7927, bob@192.168.1.20:7927 or [::1]:7927`;

/**
 * A DNS name or IPv4 address (letters, digits, dots, hyphens, underscores; no spaces,
 * colons or brackets). Loose on purpose: chat also takes a trusted name here.
 */
const BARE_HOST = /^(?=.{1,253}$)(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A --peer value: an address, and the trust-list name or key text of the node there if given. */
export interface PeerOption extends PeerAddress {
  keyName?: string;
}

export function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`invalid port ${JSON.stringify(text)}`, 'a port is a number from 1 to 65535 (0 picks any free port)');
  }
  return port;
}

/**
 * A --peer value: "host:port", "[ipv6]:port", or a host alone ("10.0.0.2", "nas.local",
 * "[::1]") on the default port, each optionally after "name@" or "swarm1…@" naming the
 * node's key; a usage error otherwise. A bare IPv6 address is refused: "::1:7000" could be
 * an address or an address and a port.
 */
export function parsePeerOption(text: string): PeerOption {
  const at = text.lastIndexOf('@');
  const keyName = at >= 0 ? text.slice(0, at).trim() : undefined;
  const addressText = at >= 0 ? text.slice(at + 1) : text;
  const address = parsePeerAddress(addressText) ?? parseBareHost(addressText);
  if (!address || keyName === '') throw usageError(`invalid peer address ${JSON.stringify(text)}`, PEER_HINT);
  if (keyName !== undefined && looksLikeKeyText(keyName)) checkPeerKeyText(keyName);
  return keyName === undefined ? address : { ...address, keyName };
}

/**
 * Text before "@" that starts like a key text and cannot be a trust-list name (no name
 * starts with "swarm1" or is longer than 32 characters: trust-store.ts) is meant as a
 * key, so a typo in it is named as one rather than reported as a name missing from the
 * trust list.
 */
function looksLikeKeyText(text: string): boolean {
  if (!text.toLowerCase().startsWith(KEY_TEXT_PREFIX)) return false;
  try {
    validateName(text);
    return false;
  } catch {
    return true;
  }
}

function checkPeerKeyText(text: string): void {
  try {
    decodeKeyText(text);
  } catch (error) {
    const why = isSwarmError(error) && error.reason ? error.reason : 'not a key';
    throw usageError(`--peer: the key before "@" is not a valid swarm key (${why})`, `a key is ${KEY_TEXT_LENGTH} characters starting with ${KEY_TEXT_PREFIX} (copy it again from their 'swarm id'), or give a trusted name: name@host:port`);
  }
}

/**
 * The keys named by --peer values (name@host:port, swarm1…@host:port), for SwarmNode's
 * `pinnedKeys`: the node dials that key instead of searching the trust list (handshake v2
 * is addressed to a key). A name or key that is not in the trust list is a usage error.
 */
export function pinnedPeerKeys(context: Pick<CliContext, 'trust'>, peers: PeerOption[]): PinnedKey[] {
  const pins: PinnedKey[] = [];
  for (const peer of peers) {
    if (peer.keyName === undefined) continue;
    const entry = context.trust.find(peer.keyName);
    if (!entry) throw usageError(`--peer: ${JSON.stringify(peer.keyName)} is not in your trust list`, 'see `swarm trust list`, or give just host:port');
    pins.push({ host: peer.host, port: peer.port, key: entry.publicKey });
  }
  return pins;
}

function parseBareHost(text: string): PeerAddress | undefined {
  const trimmed = text.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\]$/.exec(trimmed);
  if (bracketed) return { host: bracketed[1]!, port: DEFAULT_PORT };
  return BARE_HOST.test(trimmed) ? { host: trimmed, port: DEFAULT_PORT } : undefined;
}

function collectPeer(value: string, previous: string[] | undefined): string[] {
  parsePeerOption(value);
  return [...(previous ?? []), value];
}

const LISTEN_PORT_DEFAULT_TEXT = `default ${DEFAULT_PORT}, or any free port if that is taken`;

/** `portDefaultText` says what the command listens on without --port (get picks any free port). */
export function addNodeOptions(command: Command, portDefaultText = LISTEN_PORT_DEFAULT_TEXT): Command {
  return command
    .option('--port <n>', `TCP port to listen on (${portDefaultText})`, parsePort)
    .option('--host <addr>', 'address to listen on (default: all interfaces)')
    .option('--peer <[name@]host[:port]>', `connect to this peer (repeatable; port ${DEFAULT_PORT} if none is given), optionally naming its key: name@host:port or swarm1…@host:port`, collectPeer);
}
