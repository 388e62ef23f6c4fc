import { describe, expect, it } from 'vitest';
import { ChatRouter, type RouterLink } from '../../src/chat/chat-router.js';
import { ReplayGuard } from '../../src/chat/replay-guard.js';
import { RecordDecoder, encodeMessageRecord } from '../../src/chat/chat-record-codec.js';
import { bodyText, MessageKind, signMessage, type ChatMessage } from '../../src/chat/chat-message.js';
import { keyPair, textMessage } from './helpers/chat-keys.js';
import type { SigningKeyPair } from '../../src/crypto/ed25519.js';

interface TestNode {
  pair: SigningKeyPair;
  router: ChatRouter;
  delivered: ChatMessage[];
}

function node(pair: SigningKeyPair, trusted: () => SigningKeyPair[], maxHops?: number): TestNode {
  const router = new ChatRouter({
    isTrusted: (key) => trusted().some((p) => Buffer.from(p.publicKey).equals(key)),
    guard: new ReplayGuard(),
    maxHops,
  });
  const delivered: ChatMessage[] = [];
  router.on('message', (message) => delivered.push(message));
  return { pair, router, delivered };
}

/** Two routers joined by links that frame bytes like the real stream (synchronously). */
function join(a: TestNode, b: TestNode): { aToB: RouterLink; bToA: RouterLink } {
  const decoderAtB = new RecordDecoder();
  const decoderAtA = new RecordDecoder();
  const aToB: RouterLink = {
    remoteKey: b.pair.publicKey,
    send: (bytes) => {
      for (const record of decoderAtB.push(bytes)) b.router.receive(bToA, record);
    },
  };
  const bToA: RouterLink = {
    remoteKey: a.pair.publicKey,
    send: (bytes) => {
      for (const record of decoderAtA.push(bytes)) a.router.receive(aToB, record);
    },
  };
  a.router.addLink(aToB);
  b.router.addLink(bToA);
  return { aToB, bToA };
}

function chain() {
  const keys = { a: keyPair(), b: keyPair(), c: keyPair() };
  const all = () => [keys.a, keys.b, keys.c];
  const a = node(keys.a, all);
  const b = node(keys.b, all);
  const c = node(keys.c, all);
  join(a, b);
  const bc = join(b, c);
  return { a, b, c, bc };
}

describe('gossip router', () => {
  it('delivers A -> C and C -> A through B, each exactly once', () => {
    const { a, b, c } = chain();
    const fromA = textMessage(a.pair, 1, 'hello from A');
    a.router.publish(fromA);
    const fromC = textMessage(c.pair, 1, 'hello from C');
    c.router.publish(fromC);
    expect(c.delivered.map(bodyText)).toEqual(['hello from A']);
    expect(a.delivered.map(bodyText)).toEqual(['hello from C']);
    expect(b.delivered.map(bodyText)).toEqual(['hello from A', 'hello from C']);
  });

  it('a relay cannot inject a forged, altered or misattributed message', () => {
    const { a, b, c, bc } = chain();
    const genuine = textMessage(a.pair, 5, 'genuine');
    const altered = new Uint8Array(genuine.encoded);
    altered[51]! ^= 0x20; // first body byte
    const badSignature = new Uint8Array(genuine.encoded);
    badSignature[badSignature.length - 1]! ^= 1;
    const claimed = signMessage(
      { author: a.pair.publicKey, seq: 6, ts: Date.now(), kind: MessageKind.Public, body: new TextEncoder().encode('I am A') },
      b.pair.secretKey,
    );
    for (const forged of [altered, badSignature, claimed.encoded]) bc.aToB.send(encodeMessageRecord(8, forged));
    expect(c.delivered).toEqual([]);
    expect(c.router.rejectCounts['bad-signature']).toBe(3);
    // The real message still gets through after forgeries that used its (author, seq).
    a.router.publish(genuine);
    expect(c.delivered.map(bodyText)).toEqual(['genuine']);
  });

  it('drops a replayed message and one outside the time window', () => {
    const { a, c, bc } = chain();
    const message = textMessage(a.pair, 1, 'once');
    a.router.publish(message);
    bc.aToB.send(encodeMessageRecord(8, message.encoded));
    expect(c.delivered).toHaveLength(1);
    expect(c.router.rejectCounts.seen).toBe(1);
    const stale = textMessage(a.pair, 2, 'from last week', Date.now() - 7 * 24 * 3600 * 1000);
    bc.aToB.send(encodeMessageRecord(8, stale.encoded));
    expect(c.router.rejectCounts['too-old']).toBe(1);
    expect(c.delivered).toHaveLength(1);
  });

  it('neither shows nor relays an author the node does not trust', () => {
    const keys = { a: keyPair(), b: keyPair(), c: keyPair(), d: keyPair() };
    const a = node(keys.a, () => [keys.a, keys.b]);
    const b = node(keys.b, () => [keys.a, keys.b, keys.c]);
    const c = node(keys.c, () => [keys.b, keys.c, keys.d]); // C does not trust A
    const d = node(keys.d, () => [keys.a, keys.c, keys.d]); // D trusts A, but only hears it via C
    join(a, b);
    join(b, c);
    join(c, d);
    a.router.publish(textMessage(keys.a, 1, 'from A'));
    expect(b.delivered.map(bodyText)).toEqual(['from A']);
    expect(c.delivered).toEqual([]);
    expect(c.router.rejectCounts.untrusted).toBe(1);
    expect(d.delivered).toEqual([]);
  });

  it('does not sync history of an author it no longer trusts to a new link', () => {
    const keys = { a: keyPair(), b: keyPair(), c: keyPair() };
    let trusted = [keys.a, keys.b, keys.c];
    const b = node(keys.b, () => trusted);
    const c = node(keys.c, () => [keys.a, keys.b, keys.c]);
    const fromA = textMessage(keys.a, 1, 'old words');
    const fromB = textMessage(keys.b, 1, 'b words');
    trusted = [keys.b, keys.c]; // B removed A
    const sent: Uint8Array[] = [];
    b.router.addLink({ remoteKey: keys.c.publicKey, send: (bytes) => sent.push(bytes) }, [fromA, fromB]);
    const link: RouterLink = { remoteKey: keys.b.publicKey, send: () => {} };
    for (const record of new RecordDecoder().push(Buffer.concat(sent))) c.router.receive(link, record);
    expect(c.delivered.map(bodyText)).toEqual(['b words']);
  });

  it('stops forwarding when the hop limit is spent', () => {
    const pairs = Array.from({ length: 5 }, () => keyPair());
    const nodes = pairs.map((pair) => node(pair, () => pairs, 2));
    for (let i = 0; i + 1 < nodes.length; i++) join(nodes[i]!, nodes[i + 1]!);
    nodes[0]!.router.publish(textMessage(pairs[0]!, 1, 'short trip'));
    expect(nodes.map((n) => n.delivered.length)).toEqual([0, 1, 1, 0, 0]);
  });

  it('sends recent messages to a new link so a reconnecting peer catches up, without duplicates', () => {
    const { a, c } = chain();
    const m1 = textMessage(a.pair, 1, 'one');
    a.router.publish(m1);
    const late = node(keyPair(), () => [a.pair, c.pair]);
    // A trusts nobody new here; only the catch-up direction matters.
    const linkToLate: RouterLink = {
      remoteKey: late.pair.publicKey,
      send: (bytes) => {
        for (const record of new RecordDecoder().push(bytes)) late.router.receive(linkToLate, record);
      },
    };
    a.router.addLink(linkToLate, [m1]);
    a.router.addLink(linkToLate, [m1]);
    expect(late.delivered.map(bodyText)).toEqual(['one']);
  });
});
