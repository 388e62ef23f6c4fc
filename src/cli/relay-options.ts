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
import { RelayLearner } from '../relay/relay-learner.js';
import { RelayRegistration } from '../relay/relay-registration.js';
import { RelayService, DEFAULT_MAX_BYTES_PER_KEY, DEFAULT_MAX_STREAMS_PER_KEY, type RelayLimits } from '../relay/relay-service.js';
import { encodeKeyText } from '../identity/key-text.js';
import { formatPeerAddress } from '../net/peer-address.js';
import { reportDirectUpgrades } from '../ui/direct-reporter.js';
import { reportRelayLearned, reportRelayRegistration, reportRelayService } from '../ui/relay-reporter.js';
import { nameOfKey, type CliContext } from './context.js';
import { parsePeerOption } from './node-options.js';
import { isEnvFlagSet } from '../discovery/env-flag.js';

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
  /** The hints changed (a share is ready): send them to the relays now, not at the next check. */
  refreshHints(): void;
  /** With --offer-relay: the DHT keys the nodes registered here asked us to announce. */
  relayHints(): Buffer[];
  /** With --offer-relay: called when a registered node sent new hints (to announce them at once). */
  onNewHints(listener: () => void): void;
  /** One of our --relay addresses (its hints for us come back from our own lookups). */
  isOwnRelay(host: string, port: number): boolean;
  /** A trusted peer reached by dialling host:port: asked whether it relays, once we know we need one. */
  considerPeer(key: Uint8Array, host: string, port: number): void;
  /** Our port is not reachable (the mapping failed or is not verified) and no --relay was given: learn relays. */
  learnRelays(): void;
  close(): void;
}

/** Sees every relayed chunk when SWARM_RELAY_CAPTURE names a file: what the relay operator could see (audits, tests). */
function captureFromEnv(): { onChunk?: (chunk: Buffer) => void; close(): void } {
  const path = process.env.SWARM_RELAY_CAPTURE;
  if (!path) return { close() {} };
  const fd = openSync(path, 'a', 0o600);
  return { onChunk: (chunk) => void writeSync(fd, chunk), close: () => closeSync(fd) };
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

/**
 * `register`: the node listens and should be reachable through its relays (share, get --seed,
 * chat); with no --relay it may learn relays from trusted peers. `hints`: the relay-hint keys
 * this node asks its relays to announce (dht-relay-keys.ts). `linkWithRelay`: the link to
 * print once a relay is learned (share: its magnet with that relay added as x.relay).
 */
export function startRelaying(context: CliContext, node: SwarmNode, options: RelayOptions, settings: { register: boolean; isJson: boolean; hints?: () => Uint8Array[]; linkWithRelay?: (relay: RelayAddress) => string | undefined }): Relaying {
  const relays = resolveRelays(context, options.relay);
  const nameOf = (key: string) => nameOfKey(context, key);
  // Direct upgrade of relayed links (relay/hole-punch.ts); --no-direct or SWARM_NO_DIRECT=1 keeps them on the relay.
  const puncher = options.direct === false || isEnvFlagSet(process.env.SWARM_NO_DIRECT) ? undefined : new HolePuncher(node);
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
  // No --relay: relays may be learned from trusted peers that offer one (relay-learner.ts).
  const learner = settings.register && relays.length === 0 ? new RelayLearner(node, (key) => context.trust.allows(key)) : undefined;
  learner?.on('learned', (relay) => {
    relays.push(relay); // the dialer's own list too: calls to peers fall back on it
    if (!registration) {
      registration = new RelayRegistration(node, [], settings.hints);
      stopReport = reportRelayRegistration(registration, settings.isJson);
    }
    const keyText = encodeKeyText(relay.key);
    reportRelayLearned(formatPeerAddress(relay), nameOfKey(context, keyText), keyText, settings.isJson, settings.linkWithRelay?.(relay));
    registration.add(relay);
  });
  return {
    dialer,
    relays,
    registerNow: register,
    refreshHints: () => registration?.checkHints(),
    relayHints: () => offered?.service.hintKeys() ?? [],
    onNewHints: (listener) => void offered?.service.on('hints', listener),
    isOwnRelay: (host, port) => relays.some((relay) => relay.host === host && relay.port === port),
    considerPeer: (key, host, port) => learner?.consider(key, host, port),
    learnRelays: () => learner?.activate(),
    close() {
      learner?.close();
      stopReport?.();
      stopDirectReport?.();
      puncher?.close();
      registration?.close();
      offered?.close();
    },
  };
}

/** A granted mapping that no peer from outside has used in this long is taken as not working. */
export const UNVERIFIED_MAPPING_GRACE_MS = 60_000;

/**
 * Starts learning relays from trusted peers once the port turns out unreachable: at once when
 * the router would not map it, after UNVERIFIED_MAPPING_GRACE_MS when a mapping was granted
 * but nobody from outside came in through it. Returns a stop function.
 */
export function learnRelaysWhenUnreachable(relaying: Relaying, nat: { isVerified(): boolean } | undefined, outcome: { isFailed?: boolean }): () => void {
  if (outcome.isFailed) {
    relaying.learnRelays();
    return () => {};
  }
  if (!nat) return () => {};
  const timer = setTimeout(() => !nat.isVerified() && relaying.learnRelays(), UNVERIFIED_MAPPING_GRACE_MS);
  timer.unref();
  return () => clearTimeout(timer);
}
