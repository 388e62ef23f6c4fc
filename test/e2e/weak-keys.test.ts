// A small-order Ed25519 key (here the identity point) has no secret behind it: anyone can
// "sign" as it. These tests play the stranger who tries to use one.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeKeyText } from '../../src/identity/key-text.js';
import { encodeFrame } from '../../src/secure/frame-codec.js';
import { HandshakeReader } from '../../src/secure/handshake-reader.js';
import { generateDhKeyPair } from '../../src/crypto/noise-dh.js';
import { HandshakeState } from '../../src/secure/noise-handshake-state.js';
import { checkPreamble, encodePreamble, noisePrologue, PREAMBLE_BYTES } from '../../src/secure/preamble.js';
import { SecureChannel } from '../../src/secure/secure-channel.js';
import type { SessionRecord } from '../../src/secure/session-records.js';
import { MAX_HANDSHAKE_FRAME_BYTES, NOISE_PROTOCOL_NAME } from '../../src/secure/swarm-handshake.js';
import { FrameOpener, FrameSealer } from '../../src/secure/transport-cipher.js';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';
import { IDENTITY_POINT, SMALL_ORDER_KEYS } from '../helpers/weak-keys.js';

describe('swarm trust add (CLI)', () => {
  it.each(SMALL_ORDER_KEYS.slice(0, 3))('refuses the small-order key $name with one clean line', async ({ hex }) => {
    const home = tempDir();
    const keyText = encodeKeyText(Buffer.from(hex, 'hex'));
    const result = await runCli(['trust', 'add', keyText, '--name', 'friend'], { home });
    expectCleanFailure(result, 1, /weak key/);
    const list = await runCli(['trust', 'list'], { home });
    expect(list.stdout).not.toContain(keyText);
  });
});

/**
 * A hostile initiator with no secret at all: its identity payload names the identity point
 * and carries the forged signature R = identity, S = 0 (valid for every message under
 * cofactorless verification). It then asks for the chat channel.
 */
async function strangerAsIdentityPoint(port: number): Promise<SessionRecord | Error> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  const reader = new HandshakeReader(socket);
  try {
    const noise = new HandshakeState({ protocolName: NOISE_PROTOCOL_NAME, isInitiator: true, prologue: noisePrologue(), staticKey: generateDhKeyPair() });
    socket.write(Buffer.concat([encodePreamble(), encodeFrame(noise.writeMessage(Buffer.alloc(0)))]));
    checkPreamble(await reader.readExactly(PREAMBLE_BYTES));
    noise.readMessage(await reader.readFrame(MAX_HANDSHAKE_FRAME_BYTES));
    const forgedPayload = Buffer.concat([Buffer.from(IDENTITY_POINT, 'hex'), Buffer.from(IDENTITY_POINT, 'hex'), Buffer.alloc(32)]);
    socket.write(encodeFrame(noise.writeMessage(forgedPayload)));
    const { send, receive, handshakeHash } = noise.split();
    const channel = new SecureChannel(socket, { remoteKey: Buffer.alloc(32), sealer: new FrameSealer(send.exportKey()), opener: new FrameOpener(receive.exportKey()), handshakeHash }, { isInitiator: true });
    const leftover = reader.detach();
    channel.sendOpen('chat');
    return await new Promise<SessionRecord | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new Error('no answer')), 5000);
      channel.stream.once('close', () => resolve(channel.closeError ?? new Error('closed')));
      channel.start(leftover, (record) => {
        clearTimeout(timer);
        resolve(record);
      });
    });
  } catch (error) {
    return error as Error;
  } finally {
    setTimeout(() => socket.destroy(), 100);
  }
}

describe('a handshake claiming a small-order key', () => {
  it('is refused even when that key is on the trust list', async () => {
    const [node] = await createNodes(1, { trust: 'none' });
    // As if an old trust file held it: the allowlist says yes to the identity point.
    node!.trust.keys.add(IDENTITY_POINT);
    let linked = 0;
    node!.node.handle('chat', () => void linked++);
    const answer = await strangerAsIdentityPoint(node!.port);
    expect((answer as SessionRecord).type).not.toBe('accept');
    await waitFor(() => (node!.node.refusalCounts.get('BAD_HANDSHAKE') ?? 0) === 1);
    expect(node!.refusals.map((refusal) => refusal.message).join('\n')).toMatch(/weak/);
    expect(linked).toBe(0);
  });
});
