/**
 * swarm's handshake, pure (no I/O): Noise_XX_25519_ChaChaPoly_SHA256 with identity payloads.
 *
 *   1. initiator -> responder   e                         payload: empty
 *   2. responder -> initiator   e, ee, s, es              payload: responder identity (handshake-payload.ts)
 *   3. initiator -> responder   s, se                     payload: initiator identity
 *
 * Each side verifies the other's payload against the Noise static key it just authenticated,
 * then asks its allowlist. The initiator checks the responder before sending message 3, so an
 * untrusted (or unexpected) responder never learns who was calling. The prologue names the
 * protocol version (preamble.ts).
 */
import { keyData } from '../identity/key-text.js';
import { encodeIdentityPayload, verifyIdentityPayload, type SigningIdentity } from './handshake-payload.js';
import { HandshakeState } from './noise-handshake-state.js';
import { dhKeyPairFromSecret, type DhKeyPair } from '../crypto/noise-dh.js';
import { noisePrologue } from './preamble.js';
import { errors } from '../errors.js';
import { FrameOpener, FrameSealer } from './transport-cipher.js';

export const NOISE_PROTOCOL_NAME = 'Noise_XX_25519_ChaChaPoly_SHA256';
/** Handshake messages are 32, 192 and 160 bytes; anything far bigger is refused unread. */
export const MAX_HANDSHAKE_FRAME_BYTES = 512;

export interface HandshakeConfig {
  isInitiator: boolean;
  identity: SigningIdentity;
  /** The allowlist predicate, asked once the remote identity is proven. */
  allows: (publicKey: Uint8Array) => boolean;
  /** Outbound only: the key the caller expects; any other proven key is refused. */
  expectedKey?: Uint8Array;
}

export interface HandshakeResult {
  remoteKey: Buffer;
  sealer: FrameSealer;
  opener: FrameOpener;
  handshakeHash: Buffer;
}

// The static key's KeyObject is built once per identity, not once per handshake.
const staticKeyCache = new WeakMap<Uint8Array, DhKeyPair>();
function staticKeyPair(identity: SigningIdentity): DhKeyPair {
  let pair = staticKeyCache.get(identity.noiseSecretKey);
  if (!pair) {
    pair = dhKeyPairFromSecret(identity.noiseSecretKey);
    staticKeyCache.set(identity.noiseSecretKey, pair);
  }
  return pair;
}

export class SwarmHandshake {
  private readonly noise: HandshakeState;
  private remote?: Buffer;
  private trustError?: Error;
  private messageIndex = 0;

  constructor(private readonly config: HandshakeConfig) {
    this.noise = new HandshakeState({
      protocolName: NOISE_PROTOCOL_NAME,
      isInitiator: config.isInitiator,
      prologue: noisePrologue(),
      staticKey: staticKeyPair(config.identity),
    });
  }

  get isComplete(): boolean {
    return this.noise.isComplete;
  }

  get isMyTurn(): boolean {
    return this.noise.isMyTurn;
  }

  /** The proven remote identity, once its payload has been verified. */
  get remoteKey(): Buffer | undefined {
    return this.remote;
  }

  /** Set when the remote proved an identity this side refuses (responder: after message 3). */
  get refusal(): Error | undefined {
    return this.trustError;
  }

  /** Writes our next message; the one that carries our static key also carries our identity. */
  writeMessage(): Buffer {
    const tokens = this.noise.pattern.messages[this.messageIndex++]!;
    return this.noise.writeMessage(tokens.includes('s') ? encodeIdentityPayload(this.config.identity) : Buffer.alloc(0));
  }

  /**
   * Reads one handshake message. Throws on a malformed or forged message. An initiator
   * throws at once if the responder is refused; a responder records the refusal (see
   * `refusal`) so it can still tell the initiator why, over the now-encrypted channel.
   */
  readMessage(message: Uint8Array): void {
    let payload: Buffer;
    this.messageIndex++;
    try {
      payload = this.noise.readMessage(message);
    } catch (error) {
      throw errors.badHandshake(error instanceof Error ? error.message : String(error));
    }
    const remoteStatic = this.noise.remoteStaticKey;
    if (remoteStatic === undefined || this.remote !== undefined) {
      if (payload.length !== 0) throw errors.badHandshake('unexpected handshake payload');
      return;
    }
    this.remote = verifyIdentityPayload(payload, remoteStatic);
    const { expectedKey, allows } = this.config;
    let refusal: Error | undefined;
    if (expectedKey && !this.remote.equals(expectedKey)) refusal = errors.wrongPeerKey(keyData(this.remote));
    else if (!allows(this.remote)) refusal = errors.untrustedPeer(keyData(this.remote));
    if (refusal && this.config.isInitiator) throw refusal;
    this.trustError = refusal;
  }

  /** Transport ciphers once all three messages are done. */
  finish(): HandshakeResult {
    if (!this.remote) throw errors.badHandshake('remote identity missing');
    const { send, receive, handshakeHash } = this.noise.split();
    return { remoteKey: this.remote, sealer: new FrameSealer(send.exportKey()), opener: new FrameOpener(receive.exportKey()), handshakeHash };
  }

}
