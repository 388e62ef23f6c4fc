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
  /** The hints changed (a share is ready): send them to the relays now, not at the next check. */
  refreshHints(): void;
  /** With --offer-relay: the DHT keys the nodes registered here asked us to announce. */
  relayHints(): Buffer[];
  /** One of our --relay addresses (its hints for us come back from our own lookups). */
  isOwnRelay(host: string, port: number): boolean;
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
/** `hints`: the relay-hint keys this node asks its relays to announce (dht-relay-keys.ts). */
export function startRelaying(context: CliContext, node: SwarmNode, options: RelayOptions, settings: { register: boolean; isJson: boolean; hints?: () => Uint8Array[] }): Relaying {
  const relays = resolveRelays(context, options.relay);
  const nameOf = (key: string) => nameOfKey(context, key);
  // Direct upgrade of relayed links (relay/hole-punch.ts); SWARM_NO_DIRECT=1 keeps them on the relay.
  const puncher = isSet(process.env.SWARM_NO_DIRECT) ? undefined : new HolePuncher(node);
  const stopDirectReport = puncher && reportDirectUpgrades(puncher, { isJson: settings.isJson, nameOf });
  const dialer = new RelayDialer(node, { relays, nameOf, onRelayed: puncher && ((link, relay) => puncher.upgrade(link, relay)) });
  const offered = options.offerRelay ? startRelayService(context, node, undefined, settings.isJson) : undefined;
  let registration: RelayRegistration | undefined;
  let stopReport: (() => void) | undefined;
  const register = () => {
    if (registration || relays.length === 0) return;
    registration = new RelayRegistration(node, relays, settings.hints);
    stopReport = reportRelayRegistration(registration, settings.isJson);
  };
  if (settings.register) register();
  return {
    dialer,
    relays,
    registerNow: register,
    refreshHints: () => registration?.checkHints(),
    relayHints: () => offered?.service.hintKeys() ?? [],
    isOwnRelay: (host, port) => relays.some((relay) => relay.host === host && relay.port === port),
    close() {
      stopReport?.();
      stopDirectReport?.();
      puncher?.close();
      registration?.close();
      offered?.close();
    },
  };
}
