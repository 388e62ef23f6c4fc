// The pairing exchange over real TCP on 127.0.0.1, in-process: bytes arriving one at a
// time, identity keys never in the clear, a silent peer stopped by the step timeout, and
// a question nobody answers stopped by the code's deadline, on both sides.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.js';
import { pairAsInitiator, pairAsResponder, type PairingExchangeOptions } from '../../src/net/pairing-exchange.js';
import { HandshakeReader } from '../../src/secure/handshake-reader.js';
import { parsePairingCode } from '../../src/secure/pairing-code.js';
import { decodeHello, HELLO_BYTES } from '../../src/secure/pairing-protocol.js';

const CODE = parsePairingCode('7-crossover-clockwork-indigo');
const alice = generateSigningKeyPair();
const bob = generateSigningKeyPair();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function options(identity: typeof alice, overrides: Partial<PairingExchangeOptions> = {}): PairingExchangeOptions {
  return { code: CODE, identity, confirm: async () => true, deadline: Date.now() + 30_000, timeoutMs: 30_000, ...overrides };
}

/** A listener whose connections pass through a relay that re-sends every byte on its own (1-byte writes) and records them. */
async function chunkingPair(): Promise<{ initiator: Socket; responder: Promise<Socket>; captured: Buffer[] }> {
  const captured: Buffer[] = [];
  let resolveResponder!: (socket: Socket) => void;
  const responder = new Promise<Socket>((resolve) => (resolveResponder = resolve));
  const target: Server = createServer((socket) => resolveResponder(socket));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const relay: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: (target.address() as { port: number }).port });
    const pipeBytewise = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        captured.push(Buffer.from(chunk));
        for (const byte of chunk) to.write(Uint8Array.of(byte));
      });
      from.on('close', () => to.destroy());
      from.on('error', () => {});
    };
    pipeBytewise(client, upstream);
    pipeBytewise(upstream, client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => target.close(), () => relay.close());
  const initiator = connect({ host: '127.0.0.1', port: (relay.address() as { port: number }).port });
  initiator.on('error', () => {});
  cleanups.push(() => initiator.destroy());
  return { initiator, responder, captured };
}

async function responderSide(socketPromise: Promise<Socket>, overrides: Partial<PairingExchangeOptions> = {}) {
  const socket = await socketPromise;
  socket.on('error', () => {});
  const reader = new HandshakeReader(socket);
  const hello = decodeHello(await reader.readExactly(HELLO_BYTES))!;
  return pairAsResponder(socket, reader, hello, options(bob, overrides));
}

describe('pairing exchange over TCP', () => {
  it('pairs with every byte arriving on its own, and neither identity key crosses the wire in the clear', async () => {
    const { initiator, responder, captured } = await chunkingPair();
    const [fromAlice, fromBob] = await Promise.all([pairAsInitiator(initiator, options(alice)), responderSide(responder)]);
    expect(fromAlice.publicKey).toEqual(bob.publicKey);
    expect(fromBob.publicKey).toEqual(alice.publicKey);
    expect(fromAlice.words).toEqual(fromBob.words);
    const wire = Buffer.concat(captured);
    expect(wire.length).toBe(59 + 32 + 112 + 1 + 112 + 17 + 17);
    expect(wire.includes(Buffer.from(alice.publicKey))).toBe(false);
    expect(wire.includes(Buffer.from(bob.publicKey))).toBe(false);
  });

  it('a peer that goes silent after the hello is dropped after the step timeout', async () => {
    const { initiator, responder } = await chunkingPair();
    void responder; // accepted, never answered
    await expect(pairAsInitiator(initiator, options(alice, { stepTimeoutMs: 300 }))).rejects.toMatchObject({
      code: 'PAIR_FAILED', message: expect.stringMatching(/no answer within 0.3 s/),
    });
  });

  it('an unanswered question ends both sides at the deadline (PAIR_EXPIRED), even if the question ignores the abort', async () => {
    const { initiator, responder } = await chunkingPair();
    const never = () => new Promise<boolean>(() => {});
    const deadline = Date.now() + 1500;
    const results = await Promise.allSettled([
      pairAsInitiator(initiator, options(alice, { confirm: never, deadline, timeoutMs: 1500 })),
      responderSide(responder, { confirm: async () => true, deadline, timeoutMs: 1500 }),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'PAIR_EXPIRED' } });
    expect(results[1]).toMatchObject({ status: 'rejected' });
    expect((results[1] as PromiseRejectedResult).reason.code).toMatch(/PAIR_EXPIRED|PAIR_FAILED/);
  });

  it('an abort (Ctrl-C) during the question ends the attempt as interrupted', async () => {
    const { initiator, responder } = await chunkingPair();
    const interrupt = new AbortController();
    const results = await Promise.allSettled([
      pairAsInitiator(initiator, options(alice, {
        signal: interrupt.signal,
        confirm: (_peer, signal) => {
          setImmediate(() => interrupt.abort());
          return new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false)));
        },
      })),
      responderSide(responder),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'INTERRUPTED' } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'PAIR_FAILED', message: expect.stringMatching(/left before confirming/) } });
  });
});
