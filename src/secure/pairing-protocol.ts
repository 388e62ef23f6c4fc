/**
 * The pairing exchange as pure functions over bytes (no sockets): CPace keyed by the short
 * code, then identity keys and transcript signatures sealed under the CPace key, then one
 * sealed yes/no each. docs/protocol.md "Pairing" is the same list; every message has a
 * fixed size, so no length field can be abused.
 *
 *   1. I -> R  HELLO     59 B  "SWRMPAIR" | version 1 | code number u16 BE | sid (16) | Ya (32)
 *   2. R -> I  REPLY     32 B  Yb                       (R sends nothing if magic, version
 *                                                        or number are wrong: silent)
 *      both: ISK = CPace(PRS = code text, CI = lv_cat("swarm pair v1", number), sid,
 *            transcript_ir(Ya, "", Yb, "")); sidOut = CPace sid output of that transcript
 *   3. I -> R  PROOF    112 B  seal(kI, 0, keyI | sign(skI, "swarm pair v1 initiator" | sidOut))
 *   4. R -> I  STATUS     1 B  0 = your proof did not open (wrong code: both stop), 1 = go on
 *      R -> I  PROOF    112 B  seal(kR, 0, keyR | sign(skR, "swarm pair v1 responder" | sidOut))
 *   5. both    CONFIRM   17 B  seal(k_own, 1, 0x01 accept | 0x00 decline), after each user
 *                              compared the words HKDF(ISK, "swarm pair v1 words" | keyI | keyR)
 *
 * seal = ChaCha20-Poly1305 with associated data sidOut; kI, kR = HKDF-SHA256(ISK, info).
 */
import { aeadOpen, aeadSeal, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from '../crypto/aead.js';
import { cpaceIsk, cpaceShare, cpaceSidOutput, lvCat, sampleScalar, scalarMultVfy, transcriptIr, CPACE_SHARE_BYTES } from '../crypto/cpace.js';
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, isAcceptablePublicKey, sign, verify } from '../crypto/ed25519.js';
import { hkdfSha256 } from '../crypto/hkdf.js';
import { randomBytes } from '../crypto/random.js';
import { authenticationWords, type PairingCode } from './pairing-code.js';

const text = (value: string) => new TextEncoder().encode(value);

export const PAIR_MAGIC = text('SWRMPAIR');
export const PAIR_VERSION = 1;
export const PAIR_SID_BYTES = 16;
export const HELLO_BYTES = PAIR_MAGIC.length + 1 + 2 + PAIR_SID_BYTES + CPACE_SHARE_BYTES;
export const REPLY_BYTES = CPACE_SHARE_BYTES;
export const PROOF_BYTES = ED25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES + AEAD_TAG_BYTES;
export const STATUS_BYTES = 1;
export const CONFIRM_BYTES = 1 + AEAD_TAG_BYTES;
export const STATUS_WRONG_CODE = 0;
export const STATUS_GO_ON = 1;
export const AUTHENTICATION_WORD_COUNT = 3;

const CI_LABEL = text('swarm pair v1');
const EMPTY = new Uint8Array(0);
const KEY_INFO = { initiator: text('swarm pair v1 initiator key'), responder: text('swarm pair v1 responder key') };
const SIGN_LABEL = { initiator: text('swarm pair v1 initiator'), responder: text('swarm pair v1 responder') };
const WORDS_INFO = text('swarm pair v1 words');
const PROOF_NONCE = 0;
const CONFIRM_NONCE = 1;

export type PairingRole = 'initiator' | 'responder';

export interface SigningIdentity {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface Hello {
  number: number;
  sid: Uint8Array;
  share: Uint8Array;
}

/** What both sides hold once CPace has run; equal on both sides only if the codes matched. */
export interface PairingSession {
  role: PairingRole;
  sidOutput: Uint8Array;
  isk: Uint8Array;
  sendKey: Uint8Array;
  receiveKey: Uint8Array;
}

export type ProofResult = { ok: true; publicKey: Uint8Array } | { ok: false; reason: 'wrong code' | 'bad proof' };

function channelIdentifier(number: number): Uint8Array {
  return lvCat(CI_LABEL, text(String(number)));
}

export function encodeHello(hello: Hello): Uint8Array {
  const out = new Uint8Array(HELLO_BYTES);
  out.set(PAIR_MAGIC, 0);
  out[PAIR_MAGIC.length] = PAIR_VERSION;
  new DataView(out.buffer).setUint16(PAIR_MAGIC.length + 1, hello.number);
  out.set(hello.sid, PAIR_MAGIC.length + 3);
  out.set(hello.share, PAIR_MAGIC.length + 3 + PAIR_SID_BYTES);
  return out;
}

/** The hello, or undefined for anything that is not a swarm pairing hello of this version. */
export function decodeHello(bytes: Uint8Array): Hello | undefined {
  if (bytes.length !== HELLO_BYTES) return undefined;
  if (!PAIR_MAGIC.every((byte, i) => bytes[i] === byte) || bytes[PAIR_MAGIC.length] !== PAIR_VERSION) return undefined;
  const number = new DataView(bytes.buffer, bytes.byteOffset).getUint16(PAIR_MAGIC.length + 1);
  const sidStart = PAIR_MAGIC.length + 3;
  return {
    number,
    sid: bytes.slice(sidStart, sidStart + PAIR_SID_BYTES),
    share: bytes.slice(sidStart + PAIR_SID_BYTES),
  };
}

function deriveSession(role: PairingRole, sid: Uint8Array, sharedPoint: Uint8Array, ya: Uint8Array, yb: Uint8Array): PairingSession {
  const transcript = transcriptIr(ya, EMPTY, yb, EMPTY);
  const isk = cpaceIsk(sid, sharedPoint, transcript);
  const initiatorKey = hkdfSha256(isk, EMPTY, KEY_INFO.initiator, 32);
  const responderKey = hkdfSha256(isk, EMPTY, KEY_INFO.responder, 32);
  return {
    role,
    sidOutput: cpaceSidOutput(transcript),
    isk,
    sendKey: role === 'initiator' ? initiatorKey : responderKey,
    receiveKey: role === 'initiator' ? responderKey : initiatorKey,
  };
}

/** Step 1 for the side that connects; `finish` takes the REPLY (undefined: an invalid share, abort). */
export function beginInitiator(code: PairingCode, scalar = sampleScalar(), sid = randomBytes(PAIR_SID_BYTES)) {
  const prs = text(code.text);
  const ya = cpaceShare(prs, channelIdentifier(code.number), sid, scalar);
  return {
    hello: encodeHello({ number: code.number, sid, share: ya }),
    finish(reply: Uint8Array): PairingSession | undefined {
      if (reply.length !== REPLY_BYTES) return undefined;
      const sharedPoint = scalarMultVfy(scalar, reply);
      return sharedPoint && deriveSession('initiator', sid, sharedPoint, ya, reply);
    },
  };
}

/** Step 2 for the listening side, after the hello's number matched; undefined for an invalid share. */
export function answerHello(code: PairingCode, hello: Hello, scalar = sampleScalar()): { reply: Uint8Array; session: PairingSession } | undefined {
  const yb = cpaceShare(text(code.text), channelIdentifier(code.number), hello.sid, scalar);
  const sharedPoint = scalarMultVfy(scalar, hello.share);
  if (!sharedPoint) return undefined;
  return { reply: yb, session: deriveSession('responder', hello.sid, sharedPoint, hello.share, yb) };
}

function nonce(counter: number): Uint8Array {
  const out = new Uint8Array(AEAD_NONCE_BYTES);
  out[0] = counter;
  return out;
}

function signedMessage(role: PairingRole, session: PairingSession): Uint8Array {
  const label = SIGN_LABEL[role];
  const out = new Uint8Array(label.length + session.sidOutput.length);
  out.set(label);
  out.set(session.sidOutput, label.length);
  return out;
}

/** Our identity key and a signature over the transcript, sealed under our CPace-derived key. */
export function sealProof(session: PairingSession, identity: SigningIdentity): Uint8Array {
  const signature = sign(signedMessage(session.role, session), identity.secretKey);
  const plaintext = new Uint8Array(ED25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES);
  plaintext.set(identity.publicKey);
  plaintext.set(signature, ED25519_PUBLIC_KEY_BYTES);
  return aeadSeal(session.sendKey, nonce(PROOF_NONCE), plaintext, session.sidOutput);
}

/** The other side's key if its proof opens (same code) and its signature holds. */
export function openProof(session: PairingSession, sealed: Uint8Array): ProofResult {
  const plaintext = sealed.length === PROOF_BYTES ? aeadOpen(session.receiveKey, nonce(PROOF_NONCE), sealed, session.sidOutput) : null;
  if (!plaintext) return { ok: false, reason: 'wrong code' };
  const publicKey = new Uint8Array(plaintext.subarray(0, ED25519_PUBLIC_KEY_BYTES));
  const signature = plaintext.subarray(ED25519_PUBLIC_KEY_BYTES);
  const theirRole: PairingRole = session.role === 'initiator' ? 'responder' : 'initiator';
  if (!isAcceptablePublicKey(publicKey) || !verify(signedMessage(theirRole, session), signature, publicKey)) {
    return { ok: false, reason: 'bad proof' };
  }
  return { ok: true, publicKey };
}

/** The words both screens show: bound to the CPace key and to both identity keys. */
export function pairingWords(session: PairingSession, myKey: Uint8Array, theirKey: Uint8Array): string[] {
  const [initiatorKey, responderKey] = session.role === 'initiator' ? [myKey, theirKey] : [theirKey, myKey];
  const info = new Uint8Array(WORDS_INFO.length + 64);
  info.set(WORDS_INFO);
  info.set(initiatorKey, WORDS_INFO.length);
  info.set(responderKey, WORDS_INFO.length + 32);
  return authenticationWords(hkdfSha256(session.isk, EMPTY, info, AUTHENTICATION_WORD_COUNT));
}

export function sealConfirm(session: PairingSession, accept: boolean): Uint8Array {
  return aeadSeal(session.sendKey, nonce(CONFIRM_NONCE), Uint8Array.of(accept ? 1 : 0), session.sidOutput);
}

/** true / false for the other side's decision, undefined when the message does not open. */
export function openConfirm(session: PairingSession, sealed: Uint8Array): boolean | undefined {
  const plaintext = sealed.length === CONFIRM_BYTES ? aeadOpen(session.receiveKey, nonce(CONFIRM_NONCE), sealed, session.sidOutput) : null;
  if (!plaintext || plaintext.length !== 1 || plaintext[0]! > 1) return undefined;
  return plaintext[0] === 1;
}
