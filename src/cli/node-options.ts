/**
 * The options every command that runs a node shares: --port, --host, --peer (repeatable).
 * Bad values are usage errors (exit 2) with the expected form in the hint.
 */
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { parsePeerAddress, type PeerAddress } from '../net/peer-address.js';
import { DEFAULT_PORT } from '../net/swarm-node.js';

export interface NodeOptions {
  port?: number;
  host?: string;
  peer?: string[];
}

const PEER_HINT = 'use host:port with a port from 1 to 65535, e.g. 192.168.1.20:7927 or [::1]:7927';

export function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`invalid port ${JSON.stringify(text)}`, 'a port is a number from 1 to 65535 (0 picks any free port)');
  }
  return port;
}

/** A --peer value ("host:port" or "[ipv6]:port"); a usage error if it is neither. */
export function parsePeerOption(text: string): PeerAddress {
  const address = parsePeerAddress(text);
  if (!address) throw usageError(`invalid peer address ${JSON.stringify(text)}`, PEER_HINT);
  return address;
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
    .option('--peer <host:port>', 'connect to this peer (repeatable)', collectPeer);
}
