/**
 * What `swarm pair` does once its options are parsed (see pair-command.ts): wait or join,
 * run the exchange, and write the trust store once after both people said yes.
 */
import { lanConfig } from '../discovery/lan-config.js';
import type { LanConfig } from '../discovery/lan-config.js';
import { findWaitingSide, PairingBeacon } from '../discovery/pairing-rendezvous.js';
import { errors, usageError } from '../errors.js';
import { encodeKeyText } from '../identity/key-text.js';
import { TrustStore, validateName } from '../identity/trust-store.js';
import { connectSocket } from '../net/connect-socket.js';
import { pairAsInitiator, pairAsResponder, type PairingExchangeOptions, type PairingPeer } from '../net/pairing-exchange.js';
import { PairingListener } from '../net/pairing-listener.js';
import type { PeerAddress } from '../net/peer-address.js';
import { generatePairingCode, parsePairingCode, type PairingCode } from '../secure/pairing-code.js';
import { PairReporter } from '../ui/pair-reporter.js';
import { openContext, type CliContext } from './context.js';
import { parsePeerOption } from './node-options.js';
import type { PairOptions } from './pair-command.js';
import { untilSignal } from './until-signal.js';

export const DEFAULT_PAIR_TIMEOUT_MS = 10 * 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

export async function runPair(codeText: string | undefined, options: PairOptions): Promise<void> {
  const context = openContext();
  if (options.name !== undefined) validateName(options.name);
  const timeoutMs = options.timeout ?? DEFAULT_PAIR_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const reporter = new PairReporter({ json: options.json === true });
  const interrupt = new AbortController();
  void untilSignal().then(() => interrupt.abort());
  const exchangeFor = (code: PairingCode): PairingExchangeOptions => ({
    code,
    identity: context.identity,
    deadline,
    timeoutMs,
    signal: interrupt.signal,
    confirm: (peer, signal) => confirmPeer(context, peer, options, reporter, signal),
  });
  let peer: PairingPeer;
  if (codeText !== undefined) {
    const code = parsePairingCode(codeText);
    const address = await findPairingPeer(options, code, deadline - Date.now(), interrupt.signal);
    const socket = await connectSocket(address.host, address.port, Math.min(CONNECT_TIMEOUT_MS, timeoutMs), options.host);
    peer = await pairAsInitiator(socket, exchangeFor(code));
  } else {
    if (options.peer?.length) throw usageError('--peer is for joining: give the code too', 'swarm pair <code> --peer host:port');
    peer = await waitAndPair(exchangeFor(generatePairingCode()), options, reporter, interrupt.signal);
  }
  // The one write: a fresh load, so a change made meanwhile by another command is kept.
  if (interrupt.signal.aborted) throw errors.pairInterrupted();
  const trust = TrustStore.load(context.home);
  const existing = trust.nameOf(peer.publicKey);
  if (existing !== undefined) {
    reporter.paired(existing, peer.publicKey, true);
    return;
  }
  const entry = trust.add(encodeKeyText(peer.publicKey), options.name);
  reporter.paired(entry.name, peer.publicKey, false);
}

/** Where the waiting side is: --peer when given, else found on the LAN by the code's number. */
async function findPairingPeer(options: PairOptions, code: PairingCode, timeoutMs: number, signal: AbortSignal): Promise<PeerAddress> {
  const peers = options.peer ?? [];
  if (peers.length > 1) throw usageError('give exactly one --peer', 'add --peer host:port, the address of the machine that printed the code');
  if (peers.length === 1) return parsePeerOption(peers[0]!);
  const lan = pairingLan(options);
  if (!lan) throw usageError('joining needs the address of the waiting side (LAN discovery is off)', 'add --peer host:port, the address of the machine that printed the code');
  return findWaitingSide(lan, code.number, timeoutMs, signal);
}

/** LAN settings for the rendezvous, unless --no-lan or SWARM_NO_LAN. */
function pairingLan(options: PairOptions): LanConfig | undefined {
  return lanConfig(process.env, { isLanOff: options.lan === false, listenHost: options.host });
}

async function waitAndPair(exchange: PairingExchangeOptions, options: PairOptions, reporter: PairReporter, signal: AbortSignal): Promise<PairingPeer> {
  const listener = await PairingListener.open({ host: options.host, port: options.port, codeNumber: exchange.code.number });
  let beacon: PairingBeacon | undefined;
  try {
    const lan = pairingLan(options);
    // Discovery is a help: without its sockets the code still works with --peer.
    if (lan) beacon = await PairingBeacon.start(lan, options.host, exchange.code.number, listener.address().port).catch(() => undefined);
    reporter.code(exchange.code.text, listener.address(), exchange.timeoutMs, beacon !== undefined);
    const attempt = await raceLimits(listener.nextAttempt(), exchange.deadline, exchange.timeoutMs, signal);
    return await pairAsResponder(attempt.socket, attempt.reader, attempt.hello, exchange);
  } finally {
    listener.close();
    await beacon?.close();
  }
}

/** Waiting for the other side ends at the code's expiry or on Ctrl-C. */
function raceLimits<T>(promise: Promise<T>, deadline: number, timeoutMs: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(errors.pairExpired(timeoutMs)), Math.max(0, deadline - Date.now()));
    const onAbort = () => reject(errors.pairInterrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/** Checks that trusting this key can work, shows the words, and asks (unless --yes). */
async function confirmPeer(context: CliContext, peer: PairingPeer, options: PairOptions, reporter: PairReporter, signal: AbortSignal): Promise<boolean> {
  if (Buffer.from(peer.publicKey).equals(context.identity.publicKey)) throw errors.ownKey();
  const trust = TrustStore.load(context.home);
  const trustedAs = trust.nameOf(peer.publicKey);
  if (options.name !== undefined && trustedAs === undefined && trust.find(options.name)) throw errors.duplicateName(options.name);
  reporter.verify(peer.publicKey, peer.words, trustedAs);
  if (options.yes) return true;
  return reporter.askSameWords(signal);
}
