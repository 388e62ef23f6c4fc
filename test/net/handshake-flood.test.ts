// Floods of forged Noise message 1s and of handshakes from one address, over real TCP on
// loopback (127.0.0.x gives distinct source addresses), while trusted peers connect.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/identity/identity.js';
import { encodeFrame } from '../../src/secure/frame-codec.js';
import { HandshakeReader } from '../../src/secure/handshake-reader.js';
import { checkPreamble, encodePreamble, PREAMBLE_BYTES } from '../../src/secure/preamble.js';
import { SecureChannel } from '../../src/secure/secure-channel.js';
import { MAX_HANDSHAKE_FRAME_BYTES, SwarmHandshake } from '../../src/secure/swarm-handshake.js';
import { floodMessage1 } from '../helpers/message1-flood.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const rates = { perAddressPerSecond: 40, perAddressBurst: 40 };

describe('a flood of forged message 1s from one address', () => {
  it('gets at most its address\'s rate of answers; trusted peers on another and on the same address connect', async () => {
    const [a, b, c] = await createNodes(3, { node: { handshakeRates: rates } });
    let links = 0;
    a!.node.handle('chat', () => void links++);
    const signal = { stopped: false };
    cleanups.push(() => (signal.stopped = true));
    const flood = floodMessage1({ port: a!.port, localAddress: '127.0.0.2', count: 1500, perSecond: 2000, holdMs: 300, signal });
    const fireAndForget = floodMessage1({ port: a!.port, localAddress: '127.0.0.2', count: 1500, perSecond: 2000, holdMs: 0, signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const elsewhere = await b!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey, localAddress: '127.0.0.3' });
    // The same address: a handshake that is turned away at the address's cap is retried, as maintain() would.
    let sameAddress;
    for (let attempt = 0; attempt < 50 && !sameAddress; attempt++) {
      sameAddress = await c!.node.connect('127.0.0.1', a!.port, 'chat', { expectedKey: a!.identity.publicKey, localAddress: '127.0.0.2' }).catch(() => undefined);
    }
    const [held, ended] = await Promise.all([flood, fireAndForget]);
    expect(elsewhere.channel).toBe('chat');
    expect(sameAddress?.channel).toBe('chat');
    expect(held.opened + ended.opened).toBeGreaterThan(1000);
    const elapsedSeconds = Math.max(held.elapsedMs, ended.elapsedMs) / 1000;
    // Old code answered every message 1 it read (a DH each); now the address's bucket bounds it.
    expect(held.answered + ended.answered).toBeLessThanOrEqual(rates.perAddressBurst + Math.ceil(rates.perAddressPerSecond * (elapsedSeconds + 1)));
    await waitFor(() => links === 2);
  });
});

/** b's handshake from `localAddress`, run by hand so it can pause before message 3. */
async function pausedHandshake(port: number, identity: Identity, localAddress: string) {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => {});
  cleanups.push(() => socket.destroy());
  const reader = new HandshakeReader(socket);
  const handshake = new SwarmHandshake({ isInitiator: true, identity, allows: () => true });
  socket.write(Buffer.concat([encodePreamble(), encodeFrame(handshake.writeMessage())]));
  checkPreamble(await reader.readExactly(PREAMBLE_BYTES));
  handshake.readMessage(await reader.readFrame(MAX_HANDSHAKE_FRAME_BYTES));
  return {
    /** Sends message 3 and OPEN chat; resolves with the responder's answer. */
    finish: () =>
      new Promise<string>((resolve) => {
        const final = encodeFrame(handshake.writeMessage());
        const channel = new SecureChannel(socket, handshake.finish(), { isInitiator: true });
        const leftover = reader.detach();
        socket.write(final);
        channel.sendOpen('chat');
        channel.stream.once('close', () => resolve(`closed: ${channel.closeError?.message ?? ''}`));
        if (socket.destroyed) resolve('closed: evicted');
        socket.once('close', () => resolve('closed'));
        channel.start(leftover, (record) => resolve(record.type));
      }),
  };
}

describe('handshakes from the address of a peer whose handshake is in progress', () => {
  it('never evict it: 64 newcomers from the same address are turned away instead', async () => {
    const [a, b] = await createNodes(2, { node: { maxPendingHandshakes: 64, maxPendingPerAddress: 8 } });
    a!.node.handle('chat', () => {});
    const inProgress = await pausedHandshake(a!.port, b!.identity, '127.0.0.4');
    const newcomers: Socket[] = [];
    cleanups.push(() => newcomers.forEach((socket) => socket.destroy()));
    for (let i = 0; i < 64; i++) {
      const socket = connect({ host: '127.0.0.1', port: a!.port, localAddress: '127.0.0.4' });
      socket.on('error', () => {});
      newcomers.push(socket);
    }
    const shed = () => (a!.node.refusalCounts.get('PENDING_FULL') ?? 0) + (a!.node.refusalCounts.get('PENDING_EVICTED') ?? 0);
    await waitFor(() => shed() >= 64 - 7, 5000, 'the node to see the newcomers');
    expect(await inProgress.finish()).toBe('accept');
  });
});
