// Direct messages: the body of a MessageKind.Direct message is an envelope sealed with
// nacl.box for one recipient, so relays carry it without being able to read it.
//   1. recipient  32 bytes  the recipient's Ed25519 public key (so it knows to open it)
//   2. nonce      24 bytes  random
//   3. box        nacl.box(text UTF-8, nonce, X25519(recipient), X25519 secret(author))
// X25519 keys are converted from the Ed25519 identities (src/crypto/box-keys.ts). The whole message,
// envelope included, is still signed by its author, so a relay cannot forge a DM either.
import { isAcceptablePublicKey } from '../crypto/ed25519.js';
import { edPublicKeyToX25519, edSecretKeyToX25519 } from '../crypto/box-keys.js';
import { BOX_NONCE_BYTES, BOX_OVERHEAD_BYTES, boxSharedKey, openBox, randomBoxNonce, sealBox } from '../crypto/box.js';

export const ENVELOPE_OVERHEAD_BYTES = 32 + BOX_NONCE_BYTES + BOX_OVERHEAD_BYTES;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Seals and opens direct messages for one identity; caches the shared keys per peer. */
export class DirectSealer {
  private readonly mySecretX25519: Uint8Array;
  private readonly sharedKeys = new Map<string, Uint8Array | null>();

  constructor(private readonly myPublicKey: Uint8Array, mySecretKey: Uint8Array) {
    this.mySecretX25519 = edSecretKeyToX25519(mySecretKey);
  }

  seal(text: string, recipient: Uint8Array): Uint8Array {
    const shared = this.sharedKeyWith(recipient);
    if (!shared) throw new RangeError('recipient key cannot receive direct messages');
    const nonce = randomBoxNonce();
    const box = sealBox(encoder.encode(text), nonce, shared);
    const envelope = new Uint8Array(32 + nonce.length + box.length);
    envelope.set(recipient, 0);
    envelope.set(nonce, 32);
    envelope.set(box, 32 + nonce.length);
    return envelope;
  }

  /** The recipient named in an envelope (readable by anyone; only the text is sealed). */
  static recipientOf(envelope: Uint8Array): Uint8Array | undefined {
    return envelope.length >= ENVELOPE_OVERHEAD_BYTES ? envelope.subarray(0, 32) : undefined;
  }

  /**
   * Opens a DM written by `author` if we are its recipient or its author (our own sent
   * DMs in history). Undefined when it is for someone else or does not authenticate.
   */
  open(envelope: Uint8Array, author: Uint8Array): string | undefined {
    const recipient = DirectSealer.recipientOf(envelope);
    if (!recipient) return undefined;
    let peer: Uint8Array;
    if (equalBytes(recipient, this.myPublicKey)) peer = author;
    else if (equalBytes(author, this.myPublicKey)) peer = recipient;
    else return undefined;
    const shared = this.sharedKeyWith(peer);
    if (!shared) return undefined;
    const nonce = envelope.subarray(32, 32 + BOX_NONCE_BYTES);
    const opened = openBox(envelope.subarray(32 + BOX_NONCE_BYTES), nonce, shared);
    return opened ? decoder.decode(opened) : undefined;
  }

  private sharedKeyWith(peer: Uint8Array): Uint8Array | undefined {
    const id = hex(peer);
    let shared = this.sharedKeys.get(id);
    if (shared === undefined) {
      const peerX25519 = edPublicKeyToX25519(peer);
      shared = peerX25519 && isAcceptablePublicKey(peer) ? boxSharedKey(peerX25519, this.mySecretX25519) : null;
      this.sharedKeys.set(id, shared);
    }
    return shared ?? undefined;
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
