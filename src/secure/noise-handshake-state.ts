/**
 * Noise HandshakeState (spec section 5.3), generic over the patterns in noise-patterns.ts,
 * for 25519 / ChaChaPoly / SHA256. Pure: no I/O, no timers. Each writeMessage/readMessage
 * call is one handshake message; after the last one, `split()` gives the transport keys.
 */
import { CipherState } from './noise-cipher-state.js';
import { dh, DH_BYTES, dhKeyPairFromSecret, generateDhKeyPair, type DhKeyPair } from '../crypto/noise-dh.js';
import { parseProtocolName, type HandshakePattern } from './noise-patterns.js';
import { SymmetricState } from './noise-symmetric-state.js';

const TAG_BYTES = 16;
const PSK_BYTES = 32;

export interface HandshakeOptions {
  protocolName: string;
  isInitiator: boolean;
  prologue?: Uint8Array;
  /** Our static key pair (a DhKeyPair, or just its 32-byte secret). */
  staticKey?: DhKeyPair | Uint8Array;
  /** Preset ephemeral secret: only for test vectors; normally generated fresh. */
  ephemeralSecret?: Uint8Array;
  remoteStaticKey?: Uint8Array;
  remoteEphemeralKey?: Uint8Array;
  psks?: Uint8Array[];
  /**
   * DH(our static, their static) for the "ss" token, when the caller caches it (it never
   * changes for a pair of keys, so swarm computes it once per peer, as WireGuard does).
   */
  staticStaticDh?: (remoteStaticKey: Uint8Array) => Buffer;
}

// Parsing a protocol name is string work: once per name, not per handshake (patterns are only read).
const patterns = new Map<string, HandshakePattern>();
function patternOf(protocolName: string): HandshakePattern {
  let pattern = patterns.get(protocolName);
  if (!pattern) {
    pattern = parseProtocolName(protocolName).pattern;
    if (patterns.size < 64) patterns.set(protocolName, pattern);
  }
  return pattern;
}

export interface TransportKeys {
  send: CipherState;
  receive: CipherState;
  handshakeHash: Buffer;
}

function asKeyPair(key: DhKeyPair | Uint8Array | undefined): DhKeyPair | undefined {
  if (key === undefined) return undefined;
  return key instanceof Uint8Array ? dhKeyPairFromSecret(key) : key;
}

export class HandshakeState {
  readonly pattern: HandshakePattern;
  readonly isInitiator: boolean;
  private readonly symmetric: SymmetricState;
  private readonly staticKey?: DhKeyPair;
  private ephemeralKey?: DhKeyPair;
  private readonly presetEphemeral?: Uint8Array;
  private remoteStatic?: Buffer;
  private remoteEphemeral?: Buffer;
  private readonly psks: Uint8Array[];
  private readonly staticStaticDh?: (remoteStaticKey: Uint8Array) => Buffer;
  private messageIndex = 0;

  constructor(options: HandshakeOptions) {
    this.pattern = patternOf(options.protocolName);
    this.isInitiator = options.isInitiator;
    this.symmetric = new SymmetricState(options.protocolName);
    this.staticKey = asKeyPair(options.staticKey);
    this.presetEphemeral = options.ephemeralSecret;
    if (options.remoteStaticKey) this.remoteStatic = Buffer.from(options.remoteStaticKey);
    if (options.remoteEphemeralKey) this.remoteEphemeral = Buffer.from(options.remoteEphemeralKey);
    this.psks = [...(options.psks ?? [])];
    this.staticStaticDh = options.staticStaticDh;
    for (const psk of this.psks) if (psk.length !== PSK_BYTES) throw new Error('Noise PSK must be 32 bytes');

    this.symmetric.mixHash(options.prologue ?? Buffer.alloc(0));
    this.mixPreMessage(this.pattern.initiatorPreMessage, this.isInitiator);
    this.mixPreMessage(this.pattern.responderPreMessage, !this.isInitiator);
  }

  get isComplete(): boolean {
    return this.messageIndex >= this.pattern.messages.length;
  }

  /** True when the next handshake message is ours to write. */
  get isMyTurn(): boolean {
    return !this.isComplete && (this.messageIndex % 2 === 0) === this.isInitiator;
  }

  get remoteStaticKey(): Buffer | undefined {
    return this.remoteStatic;
  }

  get handshakeHash(): Buffer {
    return this.symmetric.handshakeHash;
  }

  writeMessage(payload: Uint8Array = Buffer.alloc(0)): Buffer {
    if (!this.isMyTurn) throw new Error('Noise: not our turn to write');
    const out: Buffer[] = [];
    for (const token of this.pattern.messages[this.messageIndex]!) {
      switch (token) {
        case 'e': {
          this.ephemeralKey = this.presetEphemeral ? dhKeyPairFromSecret(this.presetEphemeral) : generateDhKeyPair();
          out.push(this.ephemeralKey.publicKey);
          this.mixEphemeral(this.ephemeralKey.publicKey);
          break;
        }
        case 's':
          out.push(this.symmetric.encryptAndHash(this.requireKey(this.staticKey, 's').publicKey));
          break;
        case 'psk':
          this.mixPsk();
          break;
        default:
          this.mixDh(token);
      }
    }
    out.push(this.symmetric.encryptAndHash(payload));
    this.messageIndex++;
    return Buffer.concat(out);
  }

  /** Processes one handshake message; returns its payload. Throws on any malformed or forged input. */
  readMessage(message: Uint8Array): Buffer {
    if (this.isComplete || this.isMyTurn) throw new Error('Noise: not expecting a message');
    let offset = 0;
    const take = (length: number): Buffer => {
      if (offset + length > message.length) throw new Error('Noise handshake message too short');
      const part = Buffer.from(message.subarray(offset, offset + length));
      offset += length;
      return part;
    };
    for (const token of this.pattern.messages[this.messageIndex]!) {
      switch (token) {
        case 'e':
          this.remoteEphemeral = take(DH_BYTES);
          this.mixEphemeral(this.remoteEphemeral);
          break;
        case 's':
          this.remoteStatic = this.symmetric.decryptAndHash(take(this.symmetric.cipher.hasKey() ? DH_BYTES + TAG_BYTES : DH_BYTES));
          break;
        case 'psk':
          this.mixPsk();
          break;
        default:
          this.mixDh(token);
      }
    }
    const payload = this.symmetric.decryptAndHash(message.subarray(offset));
    this.messageIndex++;
    return payload;
  }

  /** Transport cipher states, oriented for this side. Only after the last handshake message. */
  split(): TransportKeys {
    if (!this.isComplete) throw new Error('Noise: handshake not complete');
    const [initiatorToResponder, responderToInitiator] = this.symmetric.split();
    const forward = new CipherState(initiatorToResponder);
    const backward = new CipherState(responderToInitiator);
    return this.isInitiator
      ? { send: forward, receive: backward, handshakeHash: this.symmetric.handshakeHash }
      : { send: backward, receive: forward, handshakeHash: this.symmetric.handshakeHash };
  }

  private mixPreMessage(tokens: HandshakePattern['initiatorPreMessage'], isOurs: boolean): void {
    for (const token of tokens) {
      if (token === 's') {
        const key = isOurs ? this.requireKey(this.staticKey, 's').publicKey : this.requireKey(this.remoteStatic, 'rs');
        this.symmetric.mixHash(key);
      } else if (token === 'e') {
        if (isOurs) this.ephemeralKey = dhKeyPairFromSecret(this.requireKey(this.presetEphemeral, 'e'));
        const key = isOurs ? this.ephemeralKey!.publicKey : this.requireKey(this.remoteEphemeral, 're');
        this.symmetric.mixHash(key);
        if (this.pattern.usesPsk) this.symmetric.mixKey(key);
      }
    }
  }

  private mixEphemeral(publicKey: Buffer): void {
    this.symmetric.mixHash(publicKey);
    // With a PSK, "e" also feeds the key so no message is encrypted under the PSK alone (spec 9.2).
    if (this.pattern.usesPsk) this.symmetric.mixKey(publicKey);
  }

  private mixPsk(): void {
    const psk = this.psks.shift();
    if (!psk) throw new Error('Noise: pattern needs a PSK that was not given');
    this.symmetric.mixKeyAndHash(psk);
  }

  private mixDh(token: 'ee' | 'es' | 'se' | 'ss'): void {
    // The first letter names the initiator's key, the second the responder's.
    const initiatorKey = token[0] === 'e' ? 'e' : 's';
    const responderKey = token[1] === 'e' ? 'e' : 's';
    const localKind = this.isInitiator ? initiatorKey : responderKey;
    const remoteKind = this.isInitiator ? responderKey : initiatorKey;
    const local = this.requireKey(localKind === 'e' ? this.ephemeralKey : this.staticKey, localKind);
    const remote = this.requireKey(remoteKind === 'e' ? this.remoteEphemeral : this.remoteStatic, `r${remoteKind}`);
    this.symmetric.mixKey(token === 'ss' && this.staticStaticDh ? this.staticStaticDh(remote) : dh(local, remote));
  }

  private requireKey<T>(key: T | undefined, label: string): T {
    if (key === undefined) throw new Error(`Noise: key "${label}" is required by ${this.pattern.name} but missing`);
    return key;
  }
}
