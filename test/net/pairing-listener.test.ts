// The pairing listener's bounds: at most MAX_PENDING_PAIR_CONNECTIONS strangers wait to
// show a hello, a silent one is dropped after the hello timeout, and the first hello with
// the code number is the one attempt (the listener then stops accepting).
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PENDING_PAIR_CONNECTIONS, PairingListener } from '../../src/net/pairing-listener.js';
import { parsePairingCode } from '../../src/secure/pairing-code.js';
import { beginInitiator } from '../../src/secure/pairing-protocol.js';

const opened: Socket[] = [];
const listeners: PairingListener[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
  for (const listener of listeners.splice(0)) listener.close();
});

async function open(helloTimeoutMs?: number): Promise<{ listener: PairingListener; port: number }> {
  const listener = await PairingListener.open({ host: '127.0.0.1', port: 0, codeNumber: 7, helloTimeoutMs });
  listeners.push(listener);
  return { listener, port: listener.address().port };
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
    opened.push(socket);
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('pairing listener', () => {
  it('closes connections past the pending limit at once, and still takes the attempt afterwards', async () => {
    const { listener, port } = await open();
    const idle = await Promise.all(Array.from({ length: MAX_PENDING_PAIR_CONNECTIONS }, () => dial(port)));
    const extra = await dial(port);
    await closed(extra);
    expect(listener.ignoredConnections).toBe(1);
    for (const socket of idle) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const attempt = listener.nextAttempt();
    const joiner = await dial(port);
    joiner.write(beginInitiator(parsePairingCode('7-crossover-clockwork-indigo')).hello);
    expect((await attempt).hello.number).toBe(7);
    // One attempt only: the listener no longer accepts.
    await expect(dial(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('drops a connection that sends no hello within the timeout, without a byte in reply', async () => {
    const { listener, port } = await open(200);
    const silent = await dial(port);
    let received = 0;
    silent.on('data', (chunk: Buffer) => (received += chunk.length));
    await closed(silent);
    expect(received).toBe(0);
    expect(listener.ignoredConnections).toBe(1);
  });
});
