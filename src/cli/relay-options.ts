/**
 * --relay host:port (repeatable) and --offer-relay for commands that run a node, and
 * wiring them up: a RelayDialer (dials fall back on relays), a RelayRegistration when the
 * node should be reachable through its relays, a RelayService when it offers to relay.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import type { SwarmNode } from '../net/swarm-node.js';
import type { RelayAddress } from '../relay/relay-address.js';
import { HolePuncher } from '../relay/hole-punch.js';
import { RelayDialer } from '../relay/relay-dialer.js';
import { RelayRegistration } from '../relay/relay-registration.js';
import { RelayService, DEFAULT_MAX_BYTES_PER_KEY, DEFAULT_MAX_STREAMS_PER_KEY, type RelayLimits } from '../relay/relay-service.js';
import { reportDirectUpgrades } from '../ui/direct-reporter.js';
import { reportRelayRegistration, reportRelayService } from '../ui/relay-reporter.js';
import { nameOfKey, type CliContext } from './context.js';
import { parsePeerOption } from './node-options.js';

export interface RelayOptions {
  relay?: string[];
  offerRelay?: boolean;
  /** false with --no-direct: relayed links stay on the relay. */
  direct?: boolean;
}

function collectRelay(value: string, previous: string[] | undefined): string[] {
  parsePeerOption(value);
  return [...(previous ?? []), value];
}

export function addRelayOptions(command: Command, isListening: boolean): Command {
  command.option('--relay <[name@]host:port>', isListening
    ? 'stay reachable through this relay (repeatable): register with it, name it in links, and fall back on it when a peer cannot be reached directly'
    : 'fall back on this relay (repeatable) when a peer cannot be reached directly', collectRelay);
  if (isListening) command.option('--offer-relay', 'also relay for trusted keys (as `swarm relay` does)');
  command.option('--no-direct', 'keep relayed transfers on the relay: do not try to connect directly through it (also SWARM_NO_DIRECT=1)');
  return command;
}

/** --relay values as addresses; name@ or swarm1…@ pins the relay's key (it must be trusted). */
export function resolveRelays(context: Pick<CliContext, 'trust'>, texts: string[] | undefined): RelayAddress[] {
  return (texts ?? []).map((text) => {
    const option = parsePeerOption(text);
    if (option.keyName === undefined) return { host: option.host, port: option.port };
    const entry = context.trust.find(option.keyName);
    if (!entry) throw usageError(`--relay: ${JSON.stringify(option.keyName)} is not in your trust list`, 'the relay must be a trusted key: see `swarm trust list`');
    return { host: option.host, port: option.port, key: entry.publicKey };
  });
}

export interface Relaying {
  dialer: RelayDialer;
  relays: RelayAddress[];
  /** Starts registering with the relays (get --seed, once complete). */
  registerNow(): void;
  close(): void;
}

/** Sees every relayed chunk when SWARM_RELAY_CAPTURE names a file: what the relay operator could see (audits, tests). */
function captureFromEnv(): { onChunk?: (chunk: Buffer) => void; close(): void } {
  const path = process.env.SWARM_RELAY_CAPTURE;
  if (!path) return { close() {} };
  const fd = openSync(path, 'a', 0o600);
  return { onChunk: (chunk) => void writeSync(fd, chunk), close: () => closeSync(fd) };
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}

export function startRelayService(context: CliContext, node: SwarmNode, limits: RelayLimits | undefined, isJson: boolean): { service: RelayService; close(): void } {
  const capture = captureFromEnv();
  const service = new RelayService(node, context.trust, limits ?? { maxStreamsPerKey: DEFAULT_MAX_STREAMS_PER_KEY, maxBytesPerKey: DEFAULT_MAX_BYTES_PER_KEY }, capture.onChunk);
  const stop = reportRelayService(service, { isJson, nameOf: (key) => nameOfKey(context, key) });
  return {
    service,
    close() {
      stop();
      service.close();
      capture.close();
    },
  };
}

/** `register`: the node listens and should be reachable through its relays (share, get --seed, chat). */
export function startRelaying(context: CliContext, node: SwarmNode, options: RelayOptions, settings: { register: boolean; isJson: boolean }): Relaying {
  const relays = resolveRelays(context, options.relay);
  const nameOf = (key: string) => nameOfKey(context, key);
  // Direct upgrade of relayed links (relay/hole-punch.ts); --no-direct or SWARM_NO_DIRECT=1 keeps them on the relay.
  const puncher = options.direct === false || isSet(process.env.SWARM_NO_DIRECT) ? undefined : new HolePuncher(node);
  const stopDirectReport = puncher && reportDirectUpgrades(puncher, { isJson: settings.isJson, nameOf });
  const dialer = new RelayDialer(node, { relays, nameOf, onRelayed: puncher && ((link, relay) => puncher.upgrade(link, relay)) });
  const offered = options.offerRelay ? startRelayService(context, node, undefined, settings.isJson) : undefined;
  let registration: RelayRegistration | undefined;
  let stopReport: (() => void) | undefined;
  const register = () => {
    if (registration || relays.length === 0) return;
    registration = new RelayRegistration(node, relays);
    stopReport = reportRelayRegistration(registration, settings.isJson);
  };
  if (settings.register) register();
  return {
    dialer,
    relays,
    registerNow: register,
    close() {
      stopReport?.();
      stopDirectReport?.();
      puncher?.close();
      registration?.close();
      offered?.close();
    },
  };
}
