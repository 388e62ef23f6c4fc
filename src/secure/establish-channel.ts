/**
 * Drives the handshake over a raw duplex (a TCP socket, or anything else) and returns an
 * open SecureChannel. The order of bytes on the wire, per side:
 *
 *   initiator: preamble + [msg 1]  ->  reads preamble, [msg 2]  ->  [msg 3] + sealed OPEN  ->  reads ACCEPT | REFUSE
 *   responder: reads preamble (wrong: sends its own preamble, closes); reads [msg 1] -> preamble + [msg 2];
 *              reads [msg 3] (untrusted: sealed REFUSE, close); reads OPEN -> sealed ACCEPT | REFUSE
 *
 * ([x] = 2-byte length-prefixed frame.) The whole exchange runs under one deadline, so a
 * slowloris that trickles bytes gains nothing over one that sends none.
 */
import type { Duplex } from 'node:stream';
import { errors, hasErrorCode } from '../errors.js';
import { fingerprint, keyData } from '../identity/key-text.js';
import { encodeFrame } from './frame-codec.js';
import type { SigningIdentity } from './handshake-payload.js';
import { HandshakeReader } from './handshake-reader.js';
import { checkPreamble, encodePreamble, PREAMBLE_BYTES } from './preamble.js';
import { SecureChannel } from './secure-channel.js';
import type { SessionRecord } from './session-records.js';
import { MAX_HANDSHAKE_FRAME_BYTES, SwarmHandshake } from './swarm-handshake.js';

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;
/** Lets the refused side read why before the socket is torn down. */
const REFUSAL_LINGER_MS = 1000;

export interface SecureOptions {
  identity: SigningIdentity;
  allows: (publicKey: Uint8Array) => boolean;
  handshakeTimeoutMs?: number;
  maxFrameBytes?: number;
}

export interface OutboundOptions extends SecureOptions {
  channel: string;
  expectedKey?: Uint8Array;
}

export interface InboundOptions extends SecureOptions {
  /** Asked once the initiator is authenticated and trusted: null accepts, a string refuses with that reason. */
  decideChannel: (channel: SecureChannel) => string | null;
  /**
   * Asked after message 1 arrives and before any key agreement: resolves when this
   * connection may have the CPU a handshake costs (net/handshake-budget.ts).
   */
  waitForTurn?: () => { granted: Promise<void>; cancel(): void };
}

/** Runs `body` under the handshake deadline; on any failure the raw connection is closed. */
async function withDeadline(raw: Duplex, isInitiator: boolean, timeoutMs: number, body: (reader: HandshakeReader, onTimeout: { fire?: (error: Error) => void }) => Promise<SecureChannel>): Promise<SecureChannel> {
  const reader = new HandshakeReader(raw);
  const onTimeout: { fire?: (error: Error) => void } = { fire: (error) => reader.abort(error) };
  const timer = setTimeout(() => onTimeout.fire?.(errors.handshakeTimeout(timeoutMs)), timeoutMs);
  try {
    return await body(reader, onTimeout);
  } catch (error) {
    // A preamble mismatch or a refusal has just been written: let it reach the peer.
    if (hasErrorCode(error, 'PROTOCOL_VERSION', 'NOT_SWARM_PEER')) {
      raw.end();
      setTimeout(() => raw.destroy(), REFUSAL_LINGER_MS).unref();
    } else if (isInitiator || !hasErrorCode(error, 'UNTRUSTED_PEER', 'CHANNEL_REFUSED')) {
      // (A responder's refusal is already on its way out; SecureChannel.refuse closes the socket.)
      raw.destroy();
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
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
  return withDeadline(raw, true, options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, async (reader, onTimeout) => {
    const handshake = new SwarmHandshake({ isInitiator: true, identity: options.identity, allows: options.allows, expectedKey: options.expectedKey });
    raw.write(Buffer.concat([encodePreamble(), encodeFrame(handshake.writeMessage())]));
    checkPreamble(await reader.readExactly(PREAMBLE_BYTES));
    handshake.readMessage(await reader.readFrame(MAX_HANDSHAKE_FRAME_BYTES));
    const finalMessage = encodeFrame(handshake.writeMessage());
    const channel = new SecureChannel(raw, handshake.finish(), { isInitiator: true, maxFrameBytes: options.maxFrameBytes });
    const leftover = reader.detach();
    raw.cork(); // message 3 and OPEN leave in one write
    raw.write(finalMessage);
    channel.sendOpen(options.channel);
    raw.uncork();
    const record = await awaitRecord(channel, leftover, onTimeout);
    if (record.type === 'accept') {
      channel.markOpen();
      return channel;
    }
    const error = record.type === 'refuse' ? errors.refusedByPeer(record.reason) : errors.badHandshake('expected ACCEPT or REFUSE');
    channel.fail(error);
    throw error;
  });
}

export function secureInbound(raw: Duplex, options: InboundOptions): Promise<SecureChannel> {
  return withDeadline(raw, false, options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, async (reader, onTimeout) => {
    const handshake = new SwarmHandshake({ isInitiator: false, identity: options.identity, allows: options.allows });
    try {
      checkPreamble(await reader.readExactly(PREAMBLE_BYTES));
    } catch (error) {
      // So the initiator can say which versions differ.
      if (hasErrorCode(error, 'PROTOCOL_VERSION', 'NOT_SWARM_PEER')) raw.write(encodePreamble());
      throw error;
    }
    const firstMessage = await reader.readFrame(MAX_HANDSHAKE_FRAME_BYTES);
    const turn = options.waitForTurn?.();
    if (turn) {
      try {
        await reader.unlessFailed(turn.granted);
      } catch (error) {
        turn.cancel();
        throw error;
      }
    }
    handshake.readMessage(firstMessage);
    // One write for preamble and message 2: on loopback each write costs a syscall that
    // also runs the receiver's network stack, which dominated the cost of a handshake.
    raw.write(Buffer.concat([encodePreamble(), encodeFrame(handshake.writeMessage())]));
    handshake.readMessage(await reader.readFrame(MAX_HANDSHAKE_FRAME_BYTES));
    const channel = new SecureChannel(raw, handshake.finish(), { isInitiator: false, maxFrameBytes: options.maxFrameBytes });
    const leftover = reader.detach();
    if (handshake.refusal) {
      // Sealed under the session keys, so only the real initiator reads it and nobody can forge it.
      channel.refuse(`your key ${fingerprint(channel.remoteKey)} is not on this node's trust list`, handshake.refusal);
      throw handshake.refusal;
    }
    const record = await awaitRecord(channel, leftover, onTimeout);
    if (record.type !== 'open') {
      const error = errors.badHandshake('expected OPEN');
      channel.fail(error);
      throw error;
    }
    channel.channel = record.channel;
    const reason = options.decideChannel(channel);
    if (reason !== null) {
      const error = errors.channelRefused(reason, keyData(channel.remoteKey));
      channel.refuse(reason, error);
      throw error;
    }
    channel.accept();
    return channel;
  });
}
