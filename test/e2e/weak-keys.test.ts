// A small-order Ed25519 key (here the identity point) has no secret behind it: anyone can
// "sign" as it. These tests play the stranger who tries to use one.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeKeyText } from '../../src/identity/key-text.js';
import { generateDhKeyPair } from '../../src/crypto/noise-dh.js';
import { stampMacs } from '../../src/secure/handshake-macs.js';
import { encodePayload, nextTimestampNs, V2_MARKER } from '../../src/secure/handshake-wire.js';
import { HandshakeState } from '../../src/secure/noise-handshake-state.js';
import { NOISE_PROLOGUE, NOISE_PROTOCOL_NAME, staticKeyOf } from '../../src/secure/swarm-handshake.js';
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
 * cofactorless verification), in a well-formed v2 message 1 for the node's key, asking for
 * the chat channel. Resolves with every byte the node sent back.
 */
async function strangerAsIdentityPoint(port: number, nodeKey: Uint8Array): Promise<Buffer> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => void received.push(chunk));
  const noise = new HandshakeState({ protocolName: NOISE_PROTOCOL_NAME, isInitiator: true, prologue: NOISE_PROLOGUE, staticKey: generateDhKeyPair(), remoteStaticKey: staticKeyOf(nodeKey) });
  const forgedIdentity = Buffer.concat([Buffer.from(IDENTITY_POINT, 'hex'), Buffer.from(IDENTITY_POINT, 'hex'), Buffer.alloc(32)]);
  const message = Buffer.concat([V2_MARKER, noise.writeMessage(encodePayload(forgedIdentity, nextTimestampNs(), 'chat')), Buffer.alloc(32)]);
  stampMacs(message, nodeKey);
  socket.write(message);
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(received);
}

describe('a handshake claiming a small-order key', () => {
  it('is refused even when that key is on the trust list', async () => {
    const [node] = await createNodes(1, { trust: 'none', node: { handshakeTimeoutMs: 1000 } });
    // As if an old trust file held it: the allowlist says yes to the identity point.
    node!.trust.keys.add(IDENTITY_POINT);
    let linked = 0;
    node!.node.handle('chat', () => void linked++);
    const answer = await strangerAsIdentityPoint(node!.port, node!.identity.publicKey);
    expect(answer).toHaveLength(0); // not even a message 2
    await waitFor(() => (node!.node.refusalCounts.get('BAD_HANDSHAKE') ?? 0) === 1);
    expect(node!.refusals.map((refusal) => refusal.message).join('\n')).toMatch(/weak/);
    expect(linked).toBe(0);
  });
});
