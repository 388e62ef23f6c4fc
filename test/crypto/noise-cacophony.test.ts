// cacophony's Noise test vectors (fixtures/vectors/, licence alongside) through swarm's
// pattern-generic handshake code: every vector in the file, PSK and deferred patterns included.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HandshakeState, type TransportKeys } from '../../src/secure/noise-handshake-state.js';

interface Vector {
  protocol_name: string;
  init_prologue: string; init_ephemeral: string; init_static?: string; init_remote_static?: string; init_psks?: string[];
  resp_prologue: string; resp_ephemeral?: string; resp_static?: string; resp_remote_static?: string; resp_psks?: string[];
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
}
const file = JSON.parse(readFileSync(new URL('../../fixtures/vectors/noise-cacophony-25519-chachapoly-sha256.json', import.meta.url), 'utf8')) as { vectors: Vector[] };
const hex = (text: string | undefined) => (text === undefined ? undefined : Buffer.from(text, 'hex'));

/** Runs one vector; returns null on success, else what went wrong. */
function runVector(v: Vector): string | null {
  const initiator = new HandshakeState({
    protocolName: v.protocol_name, isInitiator: true, prologue: hex(v.init_prologue), staticKey: hex(v.init_static),
    ephemeralSecret: hex(v.init_ephemeral), remoteStaticKey: hex(v.init_remote_static), psks: v.init_psks?.map((p) => hex(p)!),
  });
  const responder = new HandshakeState({
    protocolName: v.protocol_name, isInitiator: false, prologue: hex(v.resp_prologue), staticKey: hex(v.resp_static),
    ephemeralSecret: hex(v.resp_ephemeral), remoteStaticKey: hex(v.resp_remote_static), psks: v.resp_psks?.map((p) => hex(p)!),
  });
  let initiatorKeys: TransportKeys | undefined;
  let responderKeys: TransportKeys | undefined;
  for (const [index, message] of v.messages.entries()) {
    const payload = hex(message.payload)!;
    let ciphertext: Buffer;
    let received: Buffer;
    if (!initiator.isComplete) {
      const [writer, reader] = initiator.isMyTurn ? [initiator, responder] : [responder, initiator];
      ciphertext = writer.writeMessage(payload);
      received = reader.readMessage(ciphertext);
      if (initiator.isComplete) {
        if (!responder.isComplete) return 'responder not complete with initiator';
        initiatorKeys = initiator.split();
        responderKeys = responder.split();
        if (initiatorKeys.handshakeHash.toString('hex') !== v.handshake_hash) return 'handshake hash differs';
      }
    } else {
      // Transport: messages keep alternating as during the handshake (cacophony's convention),
      // except one-way patterns, where only the initiator sends.
      const initiatorSends = initiator.pattern.isOneWay || index % 2 === 0;
      const [writer, reader] = initiatorSends ? [initiatorKeys!, responderKeys!] : [responderKeys!, initiatorKeys!];
      ciphertext = writer.send.encryptWithAd(Buffer.alloc(0), payload);
      received = reader.receive.decryptWithAd(Buffer.alloc(0), ciphertext);
    }
    if (ciphertext.toString('hex') !== message.ciphertext) return `message ${index}: ciphertext differs`;
    if (!received.equals(payload)) return `message ${index}: payload differs`;
  }
  return initiatorKeys ? null : 'handshake never completed';
}

describe('cacophony Noise vectors (25519 / ChaChaPoly / SHA256)', () => {
  const xxVectors = file.vectors.filter((v) => /^Noise_XX_/.test(v.protocol_name));

  it(`passes the ${xxVectors.length} Noise_XX vector(s), which swarm uses`, () => {
    expect(xxVectors.length).toBeGreaterThan(0);
    expect(xxVectors.map((v) => [v.protocol_name, runVector(v)])).toEqual(xxVectors.map((v) => [v.protocol_name, null]));
  });

  it(`passes all ${file.vectors.length} vectors in the file (every pattern, PSK and deferred included)`, () => {
    expect(file.vectors.length).toBe(59);
    const failures = file.vectors.map((v) => [v.protocol_name, runVector(v)]).filter(([, error]) => error !== null);
    expect(failures).toEqual([]);
  });

  it('rejects a vector message with one flipped bit', () => {
    const v = xxVectors[0]!;
    const initiator = new HandshakeState({ protocolName: v.protocol_name, isInitiator: true, prologue: hex(v.init_prologue), staticKey: hex(v.init_static), ephemeralSecret: hex(v.init_ephemeral) });
    const responder = new HandshakeState({ protocolName: v.protocol_name, isInitiator: false, prologue: hex(v.resp_prologue), staticKey: hex(v.resp_static), ephemeralSecret: hex(v.resp_ephemeral) });
    responder.readMessage(initiator.writeMessage());
    const second = responder.writeMessage(Buffer.from('hello'));
    second[40] ^= 1;
    expect(() => initiator.readMessage(second)).toThrow(/decryption failed/);
  });
});
