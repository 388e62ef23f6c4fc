/**
 * Runs the pairing exchange (secure/pairing-protocol.ts) over one connection, either
 * role: fixed-size reads, a time limit for every step before the users are asked, and
 * the overall deadline (the code's lifetime) over all of it. Knows nothing about trust
 * stores or terminals: the caller's `confirm` shows the words and answers yes or no.
 */
import type { Duplex } from 'node:stream';
import { errors, hasErrorCode, isSwarmError, systemErrorCode } from '../errors.js';
import type { PairingCode } from '../secure/pairing-code.js';
import { HandshakeReader } from '../secure/handshake-reader.js';
import {
  answerHello, beginInitiator, openConfirm, openProof, pairingWords, sealConfirm, sealProof,
  CONFIRM_BYTES, PROOF_BYTES, REPLY_BYTES, STATUS_BYTES, STATUS_GO_ON, STATUS_WRONG_CODE,
  type Hello, type PairingSession, type SigningIdentity,
} from '../secure/pairing-protocol.js';

/** Each message before the confirmation must arrive within this (the machines answer, not people). */
export const PAIR_STEP_TIMEOUT_MS = 15_000;

export interface PairingPeer {
  publicKey: Uint8Array;
  words: string[];
}

/** Shows the words and resolves true to pair; `signal` aborts when the other side has already left or declined. */
export type ConfirmPairing = (peer: PairingPeer, signal: AbortSignal) => Promise<boolean>;

export interface PairingExchangeOptions {
  code: PairingCode;
  identity: SigningIdentity;
  confirm: ConfirmPairing;
  /** Epoch ms after which the attempt fails with PAIR_EXPIRED. */
  deadline: number;
  /** What the whole attempt may take from the start, for the expiry message. */
  timeoutMs: number;
  stepTimeoutMs?: number;
  /** Aborts the attempt (Ctrl-C). */
  signal?: AbortSignal;
}

/** The side that connected: hello, reply, proofs, confirmation. */
export async function pairAsInitiator(socket: Duplex, options: PairingExchangeOptions): Promise<PairingPeer> {
  return withLimits(socket, new HandshakeReader(socket), options, async (reader, step) => {
    const start = beginInitiator(options.code);
    socket.write(start.hello);
    const reply = await step(reader.readExactly(REPLY_BYTES), 'no pairing with that code number answered');
    const session = start.finish(reply);
    if (!session) throw errors.pairFailed('the other side sent an invalid key share');
    socket.write(sealProof(session, options.identity));
    const status = (await step(reader.readExactly(STATUS_BYTES), 'the other side left during the exchange'))[0];
    if (status === STATUS_WRONG_CODE) throw errors.pairWrongCode();
    if (status !== STATUS_GO_ON) throw errors.pairFailed('the other side sent an unknown status');
    const proof = openProof(session, await step(reader.readExactly(PROOF_BYTES), 'the other side left during the exchange'));
    // A proof that does not open means the other end did not hold our code (a relay, a typo):
    // we stop, and it learns nothing it could test offline.
    if (!proof.ok) throw proof.reason === 'wrong code' ? errors.pairWrongCode() : errors.pairFailed('the other side could not prove its key');
    return confirmBoth(socket, reader, session, proof.publicKey, options);
  });
}

/** The listening side, once a hello with our code number arrived. Whatever happens, the code is used up. */
export async function pairAsResponder(socket: Duplex, reader: HandshakeReader, hello: Hello, options: PairingExchangeOptions): Promise<PairingPeer> {
  return withLimits(socket, reader, options, async (reader, step) => {
    const answer = answerHello(options.code, hello);
    if (!answer) throw errors.pairFailed('the other side sent an invalid key share');
    const { session } = answer;
    socket.write(answer.reply);
    const proof = openProof(session, await step(reader.readExactly(PROOF_BYTES), 'the other side left during the exchange'));
    if (!proof.ok) {
      // Tell the other side, so that both stop on one wrong guess; the status is not secret.
      if (proof.reason === 'wrong code') {
        await writeAndEnd(socket, Uint8Array.of(STATUS_WRONG_CODE));
        throw errors.pairWrongCode();
      }
      throw errors.pairFailed('the other side could not prove its key');
    }
    socket.write(Uint8Array.of(STATUS_GO_ON));
    socket.write(sealProof(session, options.identity));
    return confirmBoth(socket, reader, session, proof.publicKey, options);
  });
}

type Step = <T>(promise: Promise<T>, whyIfClosed: string) => Promise<T>;

/**
 * Runs `body` under the deadline, the per-step timeouts and the caller's abort signal;
 * any failure destroys the connection so that the other side stops too.
 */
async function withLimits(
  socket: Duplex, reader: HandshakeReader, options: PairingExchangeOptions,
  body: (reader: HandshakeReader, step: Step) => Promise<PairingPeer>,
): Promise<PairingPeer> {
  const stepTimeoutMs = options.stepTimeoutMs ?? PAIR_STEP_TIMEOUT_MS;
  const deadlineTimer = setTimeout(() => reader.abort(errors.pairExpired(options.timeoutMs)), Math.max(0, options.deadline - Date.now()));
  const onAbort = () => reader.abort(errors.pairInterrupted());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const step: Step = async (promise, whyIfClosed) => {
    const timer = setTimeout(() => reader.abort(errors.pairFailed(`no answer within ${stepTimeoutMs / 1000} s`)), stepTimeoutMs);
    try {
      return await reader.unlessFailed(promise);
    } catch (error) {
      throw isDeparture(error) ? errors.pairFailed(whyIfClosed) : error;
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const peer = await body(reader, step);
    await writeAndEnd(socket);
    return peer;
  } catch (error) {
    socket.destroy();
    throw isSwarmError(error) ? error : errors.pairFailed(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Both users compare the words; each side sends its sealed yes/no and needs the other's
 * yes. The other side's answer is read while ours is pending, so a decline or a departure
 * there ends our prompt at once.
 */
async function confirmBoth(
  socket: Duplex, reader: HandshakeReader, session: PairingSession, theirKey: Uint8Array, options: PairingExchangeOptions,
): Promise<PairingPeer> {
  const peer: PairingPeer = { publicKey: theirKey, words: pairingWords(session, options.identity.publicKey, theirKey) };
  const stop = new AbortController();
  const theirs = reader.unlessFailed(reader.readExactly(CONFIRM_BYTES)).then((bytes) => openConfirm(session, bytes));
  theirs.then((decision) => decision !== true && stop.abort(), () => stop.abort());
  let failure: unknown;
  reader.unlessFailed(new Promise<never>(() => {})).catch((error: unknown) => {
    failure = error;
    stop.abort();
  });
  let mine = false;
  try {
    mine = await untilAborted(options.confirm(peer, stop.signal), stop.signal);
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  }
  // Ctrl-C at the question is an interruption, not a "no" (the prompt ends either way);
  // the deadline or a departure there is that failure, not a "no" either.
  if (options.signal?.aborted) throw errors.pairInterrupted();
  if (failure !== undefined) {
    throw isDeparture(failure) ? errors.pairFailed('the other side left before confirming') : failure;
  }
  if (!stop.signal.aborted) {
    socket.write(sealConfirm(session, mine));
    if (!mine) {
      await writeAndEnd(socket);
      throw errors.pairDeclined('you');
    }
  }
  let decision: boolean | undefined;
  try {
    decision = await theirs;
  } catch (error) {
    if (isDeparture(error)) throw errors.pairFailed('the other side left before confirming');
    throw error;
  }
  if (decision === undefined) throw errors.pairFailed('the confirmation from the other side does not open');
  if (!decision) throw errors.pairDeclined('the other side');
  if (!mine) throw errors.pairDeclined('you');
  return peer;
}

/** The connection ended under us: closed, or reset by a peer that gave up with bytes unread. */
function isDeparture(error: unknown): boolean {
  return hasErrorCode(error, 'CONNECTION_CLOSED') || ['ECONNRESET', 'EPIPE'].includes(systemErrorCode(error) ?? '');
}

/** The answer, or false as soon as `signal` aborts (a confirm that ignores the signal cannot hold us). */
function untilAborted(answer: Promise<boolean>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function writeAndEnd(socket: Duplex, bytes?: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.writableEnded) return resolve();
    socket.end(bytes, () => resolve());
    // A peer that never reads must not hold us: the socket is destroyed by the caller.
    setTimeout(resolve, 1000).unref();
  });
}
