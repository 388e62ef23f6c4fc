/**
 * Conformance client, handshake v1 (docs/protocol.md sections 1 and 3): preamble
 * "SWARM" 0x01, then Noise_XX_25519_ChaChaPoly_SHA256 as initiator with prologue
 * "swarm protocol v1", each static key bound to an Ed25519 identity by a signature.
 *
 *   -> e                 payload: empty
 *   <- e, ee, s, es      payload: responder identity (96 bytes)
 *   -> s, se             payload: initiator identity (96 bytes)
 */
import { frame, type HandshakeKeys, type Wire } from './client-connection.js';
import { aeadOpen, aeadSeal, dh, edSign, edVerify, hkdf2, newDhKeyPair, sha256, type Identity } from './wire-crypto.js';

export const PREAMBLE = Buffer.from('SWARM\x01', 'latin1');
const PROTOCOL_NAME = Buffer.from('Noise_XX_25519_ChaChaPoly_SHA256'); // exactly 32 bytes: h = name
const PROLOGUE = Buffer.from('swarm protocol v1');
const IDENTITY_LABEL = Buffer.from('swarm-noise-static-key:');

/** Noise's SymmetricState (section 5.2 of the Noise specification). */
export class SymmetricState {
  h: Buffer;
  ck: Buffer;
  private k?: Buffer;
  private n = 0;

  constructor(protocolName: Buffer) {
    this.h = protocolName.length <= 32 ? Buffer.concat([protocolName, Buffer.alloc(32 - protocolName.length)]) : sha256(protocolName);
    this.ck = this.h;
  }

  mixHash(data: Uint8Array): void {
    this.h = sha256(this.h, data);
  }

  mixKey(input: Uint8Array): void {
    [this.ck, this.k] = hkdf2(this.ck, input);
    this.n = 0;
  }

  encryptAndHash(plaintext: Uint8Array): Buffer {
    const out = this.k ? aeadSeal(this.k, this.n++, this.h, plaintext) : Buffer.from(plaintext);
    this.mixHash(out);
    return out;
  }

  decryptAndHash(ciphertext: Uint8Array): Buffer {
    const out = this.k ? aeadOpen(this.k, this.n++, this.h, ciphertext) : Buffer.from(ciphertext);
    this.mixHash(ciphertext);
    return out;
  }

  split(): [Buffer, Buffer] {
    return hkdf2(this.ck, Buffer.alloc(0));
  }
}

/** Identity payload: Ed25519 key (32) || Ed25519 signature over label || Noise static key (64). */
export function identityPayload(me: Identity, staticPublic: Uint8Array): Buffer {
  return Buffer.concat([me.publicKey, edSign(me, Buffer.concat([IDENTITY_LABEL, staticPublic]))]);
}

/** The Ed25519 key a payload proves for `staticPublic`, checked against the key we dialled. */
export function provenIdentity(payload: Buffer, staticPublic: Uint8Array, expected: Buffer): Buffer {
  const key = payload.subarray(0, 32);
  if (payload.length !== 96 || !edVerify(key, Buffer.concat([IDENTITY_LABEL, staticPublic]), payload.subarray(32))) throw new Error('bad identity payload');
  if (!key.equals(expected)) throw new Error('the responder is not the key we dialled');
  return Buffer.from(key);
}

export async function handshakeV1(wire: Wire, me: Identity, responderKey: Buffer): Promise<HandshakeKeys> {
  const state = new SymmetricState(PROTOCOL_NAME);
  state.mixHash(PROLOGUE);
  const e = newDhKeyPair();
  const s = newDhKeyPair(); // any X25519 key: the identity payload binds it to our Ed25519 key

  state.mixHash(e.publicKey); // -> e
  wire.write(Buffer.concat([PREAMBLE, frame(Buffer.concat([e.publicKey, state.encryptAndHash(Buffer.alloc(0))]))]));

  const preamble = await wire.readExactly(6);
  if (!preamble.equals(PREAMBLE)) throw new Error(`responder preamble ${preamble.toString('hex')}`);
  const message2 = await wire.readFrame(); // <- e, ee, s, es
  const re = message2.subarray(0, 32);
  state.mixHash(re);
  state.mixKey(dh(e, re));
  const rs = state.decryptAndHash(message2.subarray(32, 80));
  state.mixKey(dh(e, rs));
  const remoteKey = provenIdentity(state.decryptAndHash(message2.subarray(80)), rs, responderKey);

  const encryptedStatic = state.encryptAndHash(s.publicKey); // -> s, se
  state.mixKey(dh(s, re));
  wire.write(frame(Buffer.concat([encryptedStatic, state.encryptAndHash(identityPayload(me, s.publicKey))])));

  const [sendKey, receiveKey] = state.split();
  return { sendKey, receiveKey, remoteKey, sentChannel: false };
}
