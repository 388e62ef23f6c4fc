/**
 * swarm's handshake v2, pure (no I/O): Noise_IK_25519_ChaChaPoly_SHA256 with WireGuard's
 * mac1/mac2 around message 1 (docs/protocol.md section 1).
 *
 *   1. initiator -> responder   e, es, s, ss   payload: identity ‖ timestamp ‖ channel (handshake-wire.ts)
 *   2. responder -> initiator   e, ee, se      payload: empty
 *
 * Static keys are the X25519 forms of the Ed25519 identities, so an initiator that knows the
 * key it dials knows the responder's static key (IK's pre-message). The initiator's identity
 * payload binds its Ed25519 key to its static key with a signature, as v1's did. The
 * responder is proven by message 2 itself: only the holder of K_r's secret can compute es
 * and ss, without which message 2 does not decrypt.
 */
import { edPublicKeyToX25519, edSecretKeyToX25519 } from '../crypto/box-keys.js';
import { dh, dhKeyPairFromSecret, type DhKeyPair } from '../crypto/noise-dh.js';
import { errors } from '../errors.js';
import { keyData } from '../identity/key-text.js';
import { encodeIdentityPayload, verifyIdentityPayload, type SigningIdentity } from './handshake-payload.js';
import { stampMacs } from './handshake-macs.js';
import { decodePayload, encodePayload, MAC1_OFFSET, MAC2_OFFSET, MARKER_BYTES, MESSAGE1_BYTES, MESSAGE2_BYTES, nextTimestampNs, TYPE_MESSAGE2, V2_MARKER } from './handshake-wire.js';
import { HandshakeState } from './noise-handshake-state.js';
import { FrameOpener, FrameSealer } from './transport-cipher.js';

export const NOISE_PROTOCOL_NAME = 'Noise_IK_25519_ChaChaPoly_SHA256';
export const NOISE_PROLOGUE = Buffer.from('swarm protocol v2', 'ascii');

export interface HandshakeResult {
  remoteKey: Buffer;
  sealer: FrameSealer;
  opener: FrameOpener;
  handshakeHash: Buffer;
}

interface StaticIdentity {
  keyPair: DhKeyPair;
  /** Ed25519 key ‖ signature over the static key (handshake-payload.ts). */
  payload: Buffer;
}

// Derived once per identity, not once per handshake.
const ownStatics = new WeakMap<Uint8Array, StaticIdentity>();
function ownStatic(identity: SigningIdentity): StaticIdentity {
  let own = ownStatics.get(identity.secretKey);
  if (!own) {
    const keyPair = dhKeyPairFromSecret(edSecretKeyToX25519(identity.secretKey));
    const payload = encodeIdentityPayload({ ...identity, noisePublicKey: keyPair.publicKey, noiseSecretKey: keyPair.secretKey });
    own = { keyPair, payload };
    ownStatics.set(identity.secretKey, own);
  }
  return own;
}

// The birational map costs a modular inversion: once per remote key (bounded).
const remoteStatics = new Map<string, Buffer>();
const REMOTE_STATIC_LIMIT = 1024;
export function staticKeyOf(edPublicKey: Uint8Array): Buffer {
  const id = Buffer.from(edPublicKey).toString('base64');
  let key = remoteStatics.get(id);
  if (!key) {
    const converted = edPublicKeyToX25519(edPublicKey);
    if (!converted) throw errors.badHandshake('the key has no X25519 form');
    key = Buffer.from(converted);
    if (remoteStatics.size >= REMOTE_STATIC_LIMIT) remoteStatics.delete(remoteStatics.keys().next().value!);
    remoteStatics.set(id, key);
  }
  return key;
}

// ss = DH(our static, their static) never changes for a pair of keys: computed once per
// pair (bounded), which saves one of the four X25519 operations per side.
const staticSecrets = new Map<string, Buffer>();
const STATIC_SECRET_LIMIT = 1024;
function staticStaticDh(own: DhKeyPair): (remoteStaticKey: Uint8Array) => Buffer {
  return (remoteStaticKey) => {
    const id = own.publicKey.toString('base64') + Buffer.from(remoteStaticKey).toString('base64');
    let secret = staticSecrets.get(id);
    if (!secret) {
      secret = dh(own, remoteStaticKey);
      if (staticSecrets.size >= STATIC_SECRET_LIMIT) staticSecrets.delete(staticSecrets.keys().next().value!);
      staticSecrets.set(id, secret);
    }
    return secret;
  };
}

function resultOf(noise: HandshakeState, remoteKey: Buffer): HandshakeResult {
  const { send, receive, handshakeHash } = noise.split();
  return { remoteKey, sealer: new FrameSealer(send.exportKey()), opener: new FrameOpener(receive.exportKey()), handshakeHash };
}

export interface InitiatorConfig {
  identity: SigningIdentity;
  /** K_r: the Ed25519 key of the node dialled. Only it can answer. */
  responderKey: Uint8Array;
  channel: string;
}

export class InitiatorHandshake {
  private noise?: HandshakeState;
  private lastMac1 = Buffer.alloc(0);

  constructor(private readonly config: InitiatorConfig) {}

  /** A fresh message 1 (new ephemeral key and timestamp); with a cookie from a cookie reply, mac2 is set. */
  message1(cookie?: Uint8Array): Buffer {
    const own = ownStatic(this.config.identity);
    this.noise = new HandshakeState({ protocolName: NOISE_PROTOCOL_NAME, isInitiator: true, prologue: NOISE_PROLOGUE, staticKey: own.keyPair, remoteStaticKey: staticKeyOf(this.config.responderKey), staticStaticDh: staticStaticDh(own.keyPair) });
    const body = this.noise.writeMessage(encodePayload(own.payload, nextTimestampNs(), this.config.channel));
    const message = Buffer.alloc(MESSAGE1_BYTES);
    V2_MARKER.copy(message, 0);
    body.copy(message, MARKER_BYTES);
    stampMacs(message, this.config.responderKey, cookie);
    this.lastMac1 = Buffer.from(message.subarray(MAC1_OFFSET, MAC2_OFFSET));
    return message;
  }

  /** The mac1 of the last message 1 (a cookie reply is sealed with it as associated data). */
  get mac1(): Buffer {
    return this.lastMac1;
  }

  /** Reads the 49-byte message 2; throws BAD_HANDSHAKE if it is not from K_r's holder. */
  readMessage2(message: Uint8Array): HandshakeResult {
    if (!this.noise || message.length !== MESSAGE2_BYTES || message[0] !== TYPE_MESSAGE2) throw errors.badHandshake('malformed message 2');
    let payload: Buffer;
    try {
      payload = this.noise.readMessage(message.subarray(1));
    } catch {
      throw errors.badHandshake('message 2 does not decrypt (not from the key dialled)');
    }
    if (payload.length !== 0) throw errors.badHandshake('unexpected message 2 payload');
    return resultOf(this.noise, Buffer.from(this.config.responderKey));
  }
}

export interface ResponderConfig {
  identity: SigningIdentity;
  /** The allowlist predicate, asked once the initiator's identity is proven. */
  allows: (publicKey: Uint8Array) => boolean;
}

export interface Message1Result {
  remoteKey: Buffer;
  timestampNs: bigint;
  channel: string;
}

export class ResponderHandshake {
  private readonly noise: HandshakeState;
  private remote?: Buffer;

  constructor(private readonly config: ResponderConfig) {
    const own = ownStatic(config.identity).keyPair;
    this.noise = new HandshakeState({ protocolName: NOISE_PROTOCOL_NAME, isInitiator: false, prologue: NOISE_PROLOGUE, staticKey: own, staticStaticDh: staticStaticDh(own) });
  }

  /**
   * Reads a message 1 whose marker and mac1 the caller has checked: the Diffie-Hellman
   * operations, then identity and trust. Throws BAD_HANDSHAKE or UNTRUSTED_PEER.
   */
  readMessage1(message: Uint8Array): Message1Result {
    if (message.length !== MESSAGE1_BYTES) throw errors.badHandshake('message 1 has the wrong size');
    let payload: Buffer;
    try {
      payload = this.noise.readMessage(message.subarray(MARKER_BYTES, MAC1_OFFSET));
    } catch (error) {
      throw errors.badHandshake(error instanceof Error ? error.message : String(error));
    }
    const decoded = decodePayload(payload);
    const remoteStatic = this.noise.remoteStaticKey!;
    const remoteKey = verifyIdentityPayload(decoded.identity, remoteStatic);
    if (!this.config.allows(remoteKey)) throw errors.untrustedPeer(keyData(remoteKey));
    this.remote = remoteKey;
    return { remoteKey, timestampNs: decoded.timestampNs, channel: decoded.channel };
  }

  /** Message 2 and the transport keys; only after readMessage1 succeeded. */
  writeMessage2(): { message: Buffer; result: HandshakeResult } {
    if (!this.remote) throw errors.badHandshake('message 1 was not accepted');
    const body = this.noise.writeMessage(Buffer.alloc(0));
    return { message: Buffer.concat([Buffer.from([TYPE_MESSAGE2]), body]), result: resultOf(this.noise, this.remote) };
  }
}
