/**
 * A hostile initiator flooding a node with forged Noise message 1s: each connection sends
 * the preamble and 32 random bytes as its ephemeral key, then either closes at once
 * (holdMs 0) or waits up to holdMs for an answer. Bounded in count and time.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { encodeFrame } from '../../src/secure/frame-codec.js';
import { encodePreamble } from '../../src/secure/preamble.js';

export interface FloodOptions {
  port: number;
  localAddress: string;
  count: number;
  perSecond: number;
  holdMs: number;
  /** Stops early (the test has seen what it needed). */
  signal?: { stopped: boolean };
}

export interface FloodResult {
  opened: number;
  /** Connections the node answered (sent its preamble and message 2 to). */
  answered: number;
  elapsedMs: number;
}

export async function floodMessage1(options: FloodOptions): Promise<FloodResult> {
  const started = performance.now();
  const result: FloodResult = { opened: 0, answered: 0, elapsedMs: 0 };
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
    let received = 0;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, options.holdMs + 2000);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > 6) {
        result.answered++;
        done();
      }
    });
    socket.once('connect', () => {
      result.opened++;
      socket.write(Buffer.concat([encodePreamble(), encodeFrame(randomBytes(32))]));
      if (options.holdMs === 0) socket.end();
      else setTimeout(done, options.holdMs);
    });
  });
}
