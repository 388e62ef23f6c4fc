/**
 * A hostile initiator flooding a node with forged handshake v2 message 1s: each connection
 * sends the v2 marker and random bytes (307 in all), then either closes at once (holdMs 0)
 * or waits up to holdMs for an answer. With `responderKey` the forger knows the node's key
 * and stamps a valid mac1 (so the node reaches its Diffie-Hellman); without, mac1 is wrong.
 * Bounded in count and time.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { stampMacs } from '../../src/secure/handshake-macs.js';
import { MESSAGE1_BYTES, V2_MARKER } from '../../src/secure/handshake-wire.js';

export function forgedMessage1(responderKey?: Uint8Array): Buffer {
  const message = Buffer.concat([V2_MARKER, randomBytes(MESSAGE1_BYTES - V2_MARKER.length)]);
  if (responderKey) stampMacs(message, responderKey);
  return message;
}

export interface FloodOptions {
  port: number;
  localAddress: string;
  count: number;
  perSecond: number;
  holdMs: number;
  /** The node's key, if the forger knows it (valid mac1). */
  responderKey?: Uint8Array;
  /** Stops early (the test has seen what it needed). */
  signal?: { stopped: boolean };
}

export interface FloodResult {
  opened: number;
  /** Connections the node sent anything but a cookie reply to. */
  answered: number;
  /** Connections answered with exactly one cookie reply (45 bytes, type 3): the node was under load. */
  cookieReplies: number;
  elapsedMs: number;
}

export async function floodMessage1(options: FloodOptions): Promise<FloodResult> {
  const started = performance.now();
  const result: FloodResult = { opened: 0, answered: 0, cookieReplies: 0, elapsedMs: 0 };
  const live: Promise<void>[] = [];
  const batch = Math.max(1, Math.round(options.perSecond / 100));
  for (let i = 0; i < options.count && !options.signal?.stopped; i += batch) {
    for (let j = 0; j < batch && i + j < options.count; j++) live.push(one(options, result));
    const dueMs = ((i + batch) * 1000) / options.perSecond;
    const waitMs = dueMs - (performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
  }
  await Promise.all(live);
  result.elapsedMs = performance.now() - started;
  return result;
}

function one(options: FloodOptions, result: FloodResult): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port: options.port, localAddress: options.localAddress });
    const received: Buffer[] = [];
    let isDone = false;
    const done = () => {
      if (isDone) return;
      isDone = true;
      const answer = Buffer.concat(received);
      if (answer.length === 45 && answer[0] === 3) result.cookieReplies++;
      else if (answer.length > 0) result.answered++;
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, options.holdMs + 2000);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (chunk: Buffer) => void received.push(chunk));
    socket.once('connect', () => {
      result.opened++;
      socket.write(forgedMessage1(options.responderKey));
      if (options.holdMs === 0) socket.end();
      else setTimeout(done, options.holdMs);
    });
  });
}
