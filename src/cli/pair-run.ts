/**
 * What `swarm pair` does once its options are parsed (see pair-command.ts): wait or join,
 * run the exchange, and write the trust store once after both people said yes.
 */
import { errors, usageError } from '../errors.js';
import { encodeKeyText } from '../identity/key-text.js';
import { TrustStore, validateName } from '../identity/trust-store.js';
import { connectSocket } from '../net/connect-socket.js';
import { pairAsInitiator, pairAsResponder, type PairingExchangeOptions, type PairingPeer } from '../net/pairing-exchange.js';
import { PairingListener } from '../net/pairing-listener.js';
import { generatePairingCode, parsePairingCode, type PairingCode } from '../secure/pairing-code.js';
import { PairReporter } from '../ui/pair-reporter.js';
import { openContext, type CliContext } from './context.js';
import { advertisePairing, findPairingPeer, isDhtRendezvousOn, type Advertised } from './pair-rendezvous.js';
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
    const address = await findPairingPeer(options, code, deadline - Date.now(), interrupt.signal, context.home);
    const socket = await connectSocket(address.host, address.port, Math.min(CONNECT_TIMEOUT_MS, timeoutMs), options.host);
    peer = await pairAsInitiator(socket, exchangeFor(code));
  } else {
    if (options.peer?.length) throw usageError('--peer is for joining: give the code too', 'swarm pair <code> --peer host:port');
    const code = generatePairingCode({ isInternetWide: isDhtRendezvousOn(options) });
    peer = await waitAndPair(exchangeFor(code), options, reporter, interrupt.signal, context.home);
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

async function waitAndPair(exchange: PairingExchangeOptions, options: PairOptions, reporter: PairReporter, signal: AbortSignal, home: string): Promise<PairingPeer> {
  const listener = await PairingListener.open({ host: options.host, port: options.port, codeNumber: exchange.code.number });
  let advertised: Advertised | undefined;
  try {
    advertised = await advertisePairing(options, exchange.code, listener.address().port, home);
    reporter.code(exchange.code.text, listener.address(), exchange.timeoutMs, { lan: advertised.onLan, dht: advertised.onDht });
    const attempt = await raceLimits(listener.nextAttempt(), exchange.deadline, exchange.timeoutMs, signal);
    return await pairAsResponder(attempt.socket, attempt.reader, attempt.hello, exchange);
  } finally {
    listener.close();
    await advertised?.close();
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
