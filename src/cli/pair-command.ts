/**
 * `swarm pair`: without a code, wait for one pairing and print the code; with a code,
 * join the waiting side. Both end with each other's key in the trust store, written once,
 * atomically, and only after both people confirmed the same words: Ctrl-C, a wrong code,
 * a decline or the expiry at any point before that leaves the trust store untouched.
 *
 * Rendezvous: this version finds the waiting side only through --peer host:port. The
 * code's number already selects the pairing at that address; finding the address from
 * the number (LAN beacon, DHT) is the seam `findPairingPeer` for the discovery work.
 */
import type { Command } from 'commander';
import { errors, usageError } from '../errors.js';
import { encodeKeyText } from '../identity/key-text.js';
import { TrustStore, validateName } from '../identity/trust-store.js';
import { connectSocket } from '../net/connect-socket.js';
import { pairAsInitiator, pairAsResponder, type PairingExchangeOptions, type PairingPeer } from '../net/pairing-exchange.js';
import { PairingListener } from '../net/pairing-listener.js';
import type { PeerAddress } from '../net/peer-address.js';
import { generatePairingCode, parsePairingCode, type PairingCode } from '../secure/pairing-code.js';
import { PairReporter } from '../ui/pair-reporter.js';
import { parseDurationMs } from '../ui/parse-duration.js';
import { openContext, type CliContext } from './context.js';
import { parsePeerOption, parsePort } from './node-options.js';
import { DEFAULT_PORT } from '../net/swarm-node.js';
import { untilSignal } from './until-signal.js';

export const DEFAULT_PAIR_TIMEOUT_MS = 10 * 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

interface PairOptions {
  name?: string;
  port?: number;
  host?: string;
  peer?: string[];
  json?: boolean;
  yes?: boolean;
  timeout?: number;
}

export function registerPairCommand(program: Command): void {
  const command = program
    .command('pair [code]')
    .description('pair with someone by a short spoken code: each of you ends up trusting the other\'s key')
    .option('--name <name>', "the name the other person gets in your trust store (default: derived from their key)")
    .option('--json', 'print one JSON event a line: code, verify, paired')
    .option('--yes', 'do not ask to confirm the words (for scripts)')
    .option('--timeout <duration>', 'how long the code lives, e.g. 90s or 10m (default 10m)', parseDurationMs)
    .option('--port <n>', `waiting: TCP port to listen on (default ${DEFAULT_PORT}, or any free port if that is taken)`, parsePort)
    .option('--host <addr>', 'waiting: address to listen on (default: all interfaces); joining: address to connect from')
    .option('--peer <host:port>', 'joining: the address of the machine that printed the code', collectPeer);
  command
    .addHelpText(
      'after',
      '\nExamples:\n  $ swarm pair --name bob                                        prints a code and waits' +
      '\n  $ swarm pair 7-crossover-clockwork-indigo --peer 192.168.1.20:7927 --name alice' +
      '\n\nWith a code, --peer is the address of the waiting machine (finding it by the code alone comes later).',
    )
    .action(async (code: string | undefined, options: PairOptions) => {
      await runPair(code, options);
    });
}

async function runPair(codeText: string | undefined, options: PairOptions): Promise<void> {
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
    const address = findPairingPeer(options);
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

function collectPeer(value: string, previous: string[] | undefined): string[] {
  parsePeerOption(value);
  return [...(previous ?? []), value];
}

/** Where the waiting side is. Only --peer for now; the discovery work adds LAN and DHT lookups by code number. */
function findPairingPeer(options: PairOptions): PeerAddress {
  const peers = options.peer ?? [];
  if (peers.length !== 1) {
    throw usageError(
      peers.length === 0 ? 'joining needs the address of the waiting side' : 'give exactly one --peer',
      'add --peer host:port, the address of the machine that printed the code',
    );
  }
  return parsePeerOption(peers[0]!);
}

async function waitAndPair(exchange: PairingExchangeOptions, options: PairOptions, reporter: PairReporter, signal: AbortSignal): Promise<PairingPeer> {
  const listener = await PairingListener.open({ host: options.host, port: options.port, codeNumber: exchange.code.number });
  try {
    reporter.code(exchange.code.text, listener.address(), exchange.timeoutMs);
    const attempt = await raceLimits(listener.nextAttempt(), exchange.deadline, exchange.timeoutMs, signal);
    return await pairAsResponder(attempt.socket, attempt.reader, attempt.hello, exchange);
  } finally {
    listener.close();
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
