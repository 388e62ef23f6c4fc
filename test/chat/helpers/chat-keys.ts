import { generateSigningKeyPair, type SigningKeyPair } from '../../../src/crypto/ed25519.js';
import { MessageKind, signMessage, type ChatMessage } from '../../../src/chat/chat-message.js';

export function keyPair(): SigningKeyPair {
  return generateSigningKeyPair();
}

export function textMessage(pair: SigningKeyPair, seq: number, text: string, ts = Date.now()): ChatMessage {
  return signMessage({ author: pair.publicKey, seq, ts, kind: MessageKind.Public, body: new TextEncoder().encode(text) }, pair.secretKey);
}
