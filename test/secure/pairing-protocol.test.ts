// The pairing exchange over bytes, no sockets: both sides agree with the same code, a
// different code fails on both sides at the first sealed message, and a relay that knows
// neither code can learn no key and pass no proof along.
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.js';
import { parsePairingCode } from '../../src/secure/pairing-code.js';
import {
  answerHello, beginInitiator, decodeHello, encodeHello, openConfirm, openProof, pairingWords, sealConfirm, sealProof,
  CONFIRM_BYTES, HELLO_BYTES, PROOF_BYTES, type PairingSession,
} from '../../src/secure/pairing-protocol.js';

const CODE = parsePairingCode('7-crossover-clockwork-indigo');
const alice = generateSigningKeyPair();
const bob = generateSigningKeyPair();

function run(initiatorCode = CODE, responderCode = CODE): { i: PairingSession; r: PairingSession } {
  const start = beginInitiator(initiatorCode);
  const hello = decodeHello(start.hello)!;
  const answer = answerHello(responderCode, hello)!;
  return { i: start.finish(answer.reply)!, r: answer.session };
}

describe('pairing protocol', () => {
  it('the same code: both open each other\'s proof, see the same words, and read each other\'s decision', () => {
    const { i, r } = run();
    const proofI = sealProof(i, alice);
    const proofR = sealProof(r, bob);
    expect(proofI).toHaveLength(PROOF_BYTES);
    expect(openProof(r, proofI)).toEqual({ ok: true, publicKey: alice.publicKey });
    expect(openProof(i, proofR)).toEqual({ ok: true, publicKey: bob.publicKey });
    const words = pairingWords(i, alice.publicKey, bob.publicKey);
    expect(words).toHaveLength(3);
    expect(pairingWords(r, bob.publicKey, alice.publicKey)).toEqual(words);
    expect(sealConfirm(i, true)).toHaveLength(CONFIRM_BYTES);
    expect(openConfirm(r, sealConfirm(i, true))).toBe(true);
    expect(openConfirm(i, sealConfirm(r, false))).toBe(false);
    // A proof played back as a confirmation, or a confirmation in the wrong direction, does not open.
    expect(openConfirm(r, sealConfirm(r, true))).toBeUndefined();
  });

  it('one different word: the responder cannot open the proof, and the initiator cannot open one either', () => {
    const { i, r } = run(CODE, parsePairingCode('7-crossover-clockwork-infancy'));
    expect(openProof(r, sealProof(i, alice))).toEqual({ ok: false, reason: 'wrong code' });
    expect(openProof(i, sealProof(r, bob))).toEqual({ ok: false, reason: 'wrong code' });
  });

  it('a proof signed by a key other than the one it names is refused', () => {
    const { i, r } = run();
    const forged = sealProof(i, { publicKey: bob.publicKey, secretKey: alice.secretKey });
    expect(openProof(r, forged)).toEqual({ ok: false, reason: 'bad proof' });
  });

  it('hello: fixed size, magic and version checked, number carried', () => {
    const start = beginInitiator(CODE);
    expect(start.hello).toHaveLength(HELLO_BYTES);
    expect(decodeHello(start.hello)!.number).toBe(7);
    const wrongMagic = Uint8Array.from(start.hello);
    wrongMagic[0] = 0x42;
    expect(decodeHello(wrongMagic)).toBeUndefined();
    const wrongVersion = Uint8Array.from(start.hello);
    wrongVersion[8] = 2;
    expect(decodeHello(wrongVersion)).toBeUndefined();
    expect(decodeHello(start.hello.subarray(1))).toBeUndefined();
  });

  it('an identity or invalid share aborts instead of deriving a key', () => {
    const hello = decodeHello(beginInitiator(CODE).hello)!;
    expect(answerHello(CODE, { ...hello, share: new Uint8Array(32) })).toBeUndefined();
    expect(answerHello(CODE, { ...hello, share: new Uint8Array(32).fill(0xff) })).toBeUndefined();
    expect(beginInitiator(CODE).finish(new Uint8Array(32))).toBeUndefined();
    expect(encodeHello(hello)).toHaveLength(HELLO_BYTES);
  });

  it('a relay with its own code guess on each side holds two unrelated keys and no proof passes', () => {
    // Alice (initiator) -> relay (as responder, guess 1); relay (as initiator, guess 2) -> Bob.
    const aliceStart = beginInitiator(CODE);
    const relayToAlice = answerHello(parsePairingCode('7-adroitness-aardvark-adviser'), decodeHello(aliceStart.hello)!)!;
    const aliceSession = aliceStart.finish(relayToAlice.reply)!;
    const relayStart = beginInitiator(parsePairingCode('7-aftermath-absurd-aggregate'));
    const bobAnswer = answerHello(CODE, decodeHello(relayStart.hello)!)!;
    const relayToBob = relayStart.finish(bobAnswer.reply)!;
    const aliceProof = sealProof(aliceSession, alice);
    // The relay can neither open Alice's proof nor get Bob to accept it.
    expect(openProof(relayToAlice.session, aliceProof).ok).toBe(false);
    expect(openProof(bobAnswer.session, aliceProof).ok).toBe(false);
    // Nor does Alice accept anything the relay seals under the key it shares with her.
    expect(openProof(aliceSession, sealProof(relayToAlice.session, bob)).ok).toBe(false);
    expect(openProof(bobAnswer.session, sealProof(relayToBob, alice)).ok).toBe(false);
  });
});
