/**
 * Drives handshake v2 (docs/protocol.md section 1) over a raw duplex and returns an open
 * SecureChannel. The bytes on the wire, per side:
 *
 *   initiator: message 1 (307, channel inside)  ->  reads 0x02 message 2 (49) + sealed ACCEPT | REFUSE
 *                                                   (or 0x03 cookie reply: message 1 again with mac2;
 *                                                    or "SWARM" 0x01: a v1 node)
 *   responder: reads message 1; checks marker, mac1 (no DH yet), [cookie under load], turn,
 *              Noise + identity + trust + timestamp  ->  message 2 + sealed ACCEPT | REFUSE
 *
 * A responder sends nothing until every check passed: a connection that fails one is held
 * silent (read and discarded) until the deadline, then closed. The whole exchange runs
 * under one deadline, so trickling bytes gains nothing.
 */
import type { Duplex } from 'node:stream';
import { errors, hasErrorCode } from '../errors.js';
import { keyData } from '../identity/key-text.js';
import type { SigningIdentity } from './handshake-payload.js';
import { CookieChecker, hasValidMac1, openCookieReply } from './handshake-macs.js';
import { HandshakeReader } from './handshake-reader.js';
import { COOKIE_REPLY_BYTES, MARKER_BYTES, MESSAGE1_BYTES, MESSAGE2_BYTES, TYPE_COOKIE_REPLY, TYPE_MESSAGE2, V1_PREAMBLE, V2_MARKER } from './handshake-wire.js';
import { ReplayWindow } from './replay-window.js';
import { SecureChannel } from './secure-channel.js';
import type { SessionRecord } from './session-records.js';
import { InitiatorHandshake, ResponderHandshake } from './swarm-handshake.js';

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;

export interface SecureOptions {
  identity: SigningIdentity;
  allows: (publicKey: Uint8Array) => boolean;
  handshakeTimeoutMs?: number;
  maxFrameBytes?: number;
}

export interface OutboundOptions extends SecureOptions {
  channel: string;
  /** K_r, the key dialled: IK needs it (net/swarm-node.ts finds one when only an address is known). */
  expectedKey: Uint8Array;
  /** "host:port", for errors. */
  address?: string;
}

export interface InboundOptions extends SecureOptions {
  /** Asked once the initiator is authenticated and trusted: null accepts, a string refuses with that reason. */
  decideChannel: (channel: SecureChannel) => string | null;
  /**
   * Asked after a message 1 with a valid mac1 arrives and before any key agreement: resolves
   * when this connection may have the CPU a handshake costs (net/handshake-budget.ts).
   */
  waitForTurn?: () => { granted: Promise<void>; cancel(): void };
  /** Shared by a node's connections; a per-identity one is used without it. */
  replayWindow?: ReplayWindow;
  /** With `isUnderLoad` and `source` ("ip:port"): answer a message 1 without a valid mac2 with a cookie reply. */
  cookies?: CookieChecker;
  isUnderLoad?: () => boolean;
  source?: string;
  /**
   * The bytes already read from `raw` (from its first byte) and when the connection was
   * accepted (performance.now()): the deadline counts from the accept. `raw` is paused.
   */
  early?: { bytes: Buffer; startMs: number };
}

// Without a node-wide window, one per responder identity (tests, tools).
const defaultWindows = new WeakMap<Uint8Array, ReplayWindow>();
function windowFor(identity: SigningIdentity): ReplayWindow {
  let window = defaultWindows.get(identity.secretKey);
  if (!window) defaultWindows.set(identity.secretKey, (window = new ReplayWindow()));
  return window;
}

interface Deadline {
  reader: HandshakeReader;
  /** What the deadline does now (abort the reader; later, fail the channel). */
  onTimeout: { fire?: (error: Error) => void };
  startMs: number;
  timeoutMs: number;
  /** Set when the deadline's timer fired (a timer may fire a fraction of a ms before the clock says so). */
  hasPassed: boolean;
}

/**
 * Runs `body` under the handshake deadline; on failure the raw connection is closed unless
 * `body` left it held silent. The timeout error is built only if the deadline fires (an
 * Error's stack trace costs more than the rest of the deadline's bookkeeping).
 */
async function withDeadline(raw: Duplex, timeoutMs: number, timeoutError: () => Error, body: (deadline: Deadline) => Promise<SecureChannel>, early?: { bytes: Buffer; startMs: number }): Promise<SecureChannel> {
  const reader = new HandshakeReader(raw, early?.bytes);
  const onTimeout: { fire?: (error: Error) => void } = { fire: (error) => reader.abort(error) };
  const deadline: Deadline = { reader, onTimeout, startMs: early?.startMs ?? performance.now(), timeoutMs, hasPassed: false };
  let isSettled = false;
  // The event loop runs due timers before it reads sockets: a process starved past the
  // deadline (many nodes on few cores) would call an answer already in its receive buffer
  // "no answer", and a dialler takes that silence as "not trusted". So the deadline fires
  // from setImmediate, after the waiting bytes have been read.
  const timer = setTimeout(() => {
    setImmediate(() => {
      if (isSettled) return;
      deadline.hasPassed = true;
      onTimeout.fire?.(timeoutError());
    });
  }, Math.max(0, deadline.startMs + timeoutMs - performance.now()));
  // A connection handed over by a first-read gate (net/message1-gate.ts) arrives paused.
  if (early) raw.resume();
  try {
    return await body(deadline);
  } catch (error) {
    // A responder's refusal is already on its way out (SecureChannel.refuse closes the socket).
    if (!silentConnections.has(raw) && !hasErrorCode(error, 'CHANNEL_REFUSED')) raw.destroy();
    throw error;
  } finally {
    isSettled = true;
    clearTimeout(timer);
  }
}

const silentConnections = new WeakSet<Duplex>();

/** Reads and discards until the deadline, then closes: no byte, no early close, no RST (the receive buffer is kept empty). */
function holdSilent(raw: Duplex, deadline: Deadline): void {
  silentConnections.add(raw);
  deadline.reader.detach();
  raw.on('data', () => {});
  raw.on('error', () => {});
  raw.resume();
  const remainingMs = deadline.startMs + deadline.timeoutMs - performance.now();
  if (deadline.hasPassed || remainingMs <= 0) return void raw.destroy();
  const timer = setTimeout(() => raw.destroy(), remainingMs);
  timer.unref();
  raw.once('close', () => clearTimeout(timer));
}

function awaitRecord(channel: SecureChannel, leftover: Buffer, onTimeout: { fire?: (error: Error) => void }): Promise<SessionRecord> {
  return new Promise((resolve, reject) => {
    let isSettled = false;
    onTimeout.fire = (error) => channel.fail(error);
    channel.stream.once('close', () => {
      if (!isSettled) reject(channel.closeError ?? errors.connectionClosed());
    });
    channel.start(leftover, (record) => {
      isSettled = true;
      resolve(record);
    });
  });
}

export function secureOutbound(raw: Duplex, options: OutboundOptions): Promise<SecureChannel> {
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  return withDeadline(raw, timeoutMs, () => errors.handshakeUnanswered(timeoutMs), async ({ reader, onTimeout }) => {
    // Calling a key we do not trust would hand it our identity for nothing.
    if (!options.allows(options.expectedKey)) throw errors.untrustedPeer(keyData(options.expectedKey));
    const handshake = new InitiatorHandshake({ identity: options.identity, responderKey: options.expectedKey, channel: options.channel });
    raw.write(handshake.message1());
    let hasCookie = false;
    let message2: Buffer | undefined;
    while (!message2) {
      // A silent responder closes at its own deadline: to us that is the same silence.
      const type = (await reader.readExactly(1).catch((error: unknown) => {
        throw hasErrorCode(error, 'CONNECTION_CLOSED') ? errors.handshakeUnanswered(timeoutMs) : error;
      }))[0]!;
      if (type === TYPE_MESSAGE2) {
        message2 = Buffer.concat([Buffer.from([type]), await reader.readExactly(MESSAGE2_BYTES - 1)]);
      } else if (type === TYPE_COOKIE_REPLY && !hasCookie) {
        const reply = Buffer.concat([Buffer.from([type]), await reader.readExactly(COOKIE_REPLY_BYTES - 1)]);
        const cookie = openCookieReply(reply, options.expectedKey, handshake.mac1);
        if (!cookie) throw errors.badHandshake('a cookie reply that does not open');
        hasCookie = true;
        raw.write(handshake.message1(cookie));
      } else if (type === V1_PREAMBLE[0]) {
        const rest = await reader.readExactly(MARKER_BYTES - 1);
        if (Buffer.concat([Buffer.from([type]), rest]).equals(V1_PREAMBLE)) throw errors.peerRunsV1(options.address ?? 'the peer');
        throw errors.notSwarmPeer();
      } else {
        throw errors.badHandshake(`unexpected answer (type ${type})`);
      }
    }
    const channel = new SecureChannel(raw, handshake.readMessage2(message2), { isInitiator: true, maxFrameBytes: options.maxFrameBytes });
    channel.channel = options.channel;
    const record = await awaitRecord(channel, reader.detach(), onTimeout);
    if (record.type === 'accept') {
      channel.markOpen();
      return channel;
    }
    const error = errors.refusedByPeer(record.reason);
    channel.fail(error);
    throw error;
  });
}

/** Reads one message 1 and runs every check that needs no Diffie-Hellman; throws (silently) on the first failure. */
async function readMessage1(reader: HandshakeReader, identity: SigningIdentity): Promise<Buffer> {
  const marker = await reader.readExactly(MARKER_BYTES);
  if (marker.equals(V1_PREAMBLE)) throw errors.v1Initiator();
  if (!marker.equals(V2_MARKER)) throw errors.notSwarmPeer();
  const message = Buffer.concat([marker, await reader.readExactly(MESSAGE1_BYTES - MARKER_BYTES)]);
  if (!hasValidMac1(message, identity.publicKey)) throw errors.badMac1();
  return message;
}

export function secureInbound(raw: Duplex, options: InboundOptions): Promise<SecureChannel> {
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  return withDeadline(raw, timeoutMs, () => errors.handshakeTimeout(timeoutMs), async (deadline) => {
    const { reader, onTimeout } = deadline;
    let handshake: ResponderHandshake;
    let accepted: { remoteKey: Buffer; channel: string };
    try {
      let message = await readMessage1(reader, options.identity);
      const { cookies, source } = options;
      if (cookies && source !== undefined && options.isUnderLoad?.() && !cookies.hasValidMac2(message, source)) {
        raw.write(cookies.cookieReply(message, source));
        message = await readMessage1(reader, options.identity);
        if (!cookies.hasValidMac2(message, source)) throw errors.badHandshake('no valid mac2 after a cookie reply');
      }
      const turn = options.waitForTurn?.();
      if (turn) {
        try {
          await reader.unlessFailed(turn.granted);
        } catch (error) {
          turn.cancel();
          throw error;
        }
      }
      handshake = new ResponderHandshake({ identity: options.identity, allows: options.allows });
      const result = handshake.readMessage1(message);
      if (!(options.replayWindow ?? windowFor(options.identity)).accept(result.remoteKey, result.timestampNs)) {
        throw errors.replayedHandshake(keyData(result.remoteKey));
      }
      accepted = result;
    } catch (error) {
      // Nothing has been sent: keep it that way (docs/protocol.md, "Silence").
      holdSilent(raw, deadline);
      throw error;
    }
    const { message, result } = handshake.writeMessage2();
    const channel = new SecureChannel(raw, result, { isInitiator: false, maxFrameBytes: options.maxFrameBytes });
    channel.channel = accepted.channel;
    const leftover = reader.detach();
    // Message 2 and ACCEPT (or REFUSE) leave in one write: the initiator has its answer after one round trip.
    raw.cork();
    raw.write(message);
    const reason = options.decideChannel(channel);
    if (reason !== null) {
      raw.uncork();
      const error = errors.channelRefused(reason, keyData(channel.remoteKey));
      channel.refuse(reason, error);
      throw error;
    }
    channel.accept();
    raw.uncork();
    onTimeout.fire = undefined;
    channel.start(leftover, () => channel.fail(errors.badHandshake('unexpected record')));
    return channel;
  }, options.early);
}
