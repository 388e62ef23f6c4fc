// A malicious but trusted relay M (test/chat/helpers/forging-relay.ts: the real SwarmNode
// and chat codec, driven by the test) sits between real `swarm chat` processes A and C.
// Whatever M forges, alters or replays, C shows only what A really wrote, once; and a DM
// from A to C passes through M without M ever holding its plaintext.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageKind, bodyText, signMessage } from '../../src/chat/chat-message.js';
import { allTrusting, makePeople, messageEvents, startChat, waitForMessage } from '../chat/helpers/chat-world.js';
import { ForgingRelay } from '../chat/helpers/forging-relay.js';

const NAMES = ['a', 'm', 'c'] as const;
const relays: ForgingRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
});

async function setUp() {
  const people = makePeople(NAMES, allTrusting(NAMES));
  const relay = await ForgingRelay.start(people.m);
  relays.push(relay);
  const a = await startChat(people.a, { peers: [relay.port] });
  const c = await startChat(people.c, { peers: [relay.port] });
  await relay.waitForLink(people.a);
  await relay.waitForLink(people.c);
  return { people, relay, a, c };
}

const text = (value: string) => new TextEncoder().encode(value);

describe('swarm chat against a forging relay', () => {
  it('C shows only the genuine message, once, whatever the relay injects', async () => {
    const { people, relay, a, c } = await setUp();
    a.process.send('genuine words');
    const genuine = await relay.waitForReceived((m) => bodyText(m) === 'genuine words', "A's message");

    // 1. Altered body, original signature.
    const altered = new Uint8Array(genuine.encoded);
    const bodyStart = altered.length - 64 - genuine.body.length;
    altered.set(text('GENUINE'), bodyStart);
    relay.sendTo(people.c, altered);
    // 2. Original body, broken signature.
    const badSignature = new Uint8Array(genuine.encoded);
    badSignature[badSignature.length - 10]! ^= 0x40;
    relay.sendTo(people.c, badSignature);
    // 3. Claimed author: M signs with its own key but names A as author.
    const claimed = signMessage(
      { author: people.a.identity.publicKey, seq: genuine.seq + 1, ts: Date.now(), kind: MessageKind.Public, body: text('a says: trust m') },
      people.m.identity.secretKey,
    );
    relay.sendTo(people.c, claimed.encoded);
    // 4. The genuine message, then replayed twice.
    relay.sendTo(people.c, genuine.encoded);
    relay.sendTo(people.c, genuine.encoded);
    relay.sendTo(people.c, genuine.encoded, 1);
    // 5. M's own messages with timestamps far outside the window (signed correctly by M).
    for (const [seq, ts, body] of [
      [1, Date.now() - 3 * 24 * 3600 * 1000, 'from three days ago'],
      [2, Date.now() + 3600 * 1000, 'from an hour in the future'],
    ] as const) {
      relay.sendTo(people.c, signMessage({ author: people.m.identity.publicKey, seq, ts, kind: MessageKind.Public, body: text(body) }, people.m.identity.secretKey).encoded);
    }
    // 6. A genuine marker from M itself: everything above was processed before it.
    relay.sendTo(people.c, signMessage({ author: people.m.identity.publicKey, seq: 3, ts: Date.now(), kind: MessageKind.Public, body: text('marker') }, people.m.identity.secretKey).encoded);
    await waitForMessage(c.process, 'marker');

    expect(messageEvents(c.process).map((e) => [e.name, e.text])).toEqual([
      ['a', 'genuine words'],
      ['m', 'marker'],
    ]);
    // The same record replayed after a restart of C is still not shown again.
    const firstLink = await relay.waitForLink(people.c);
    await c.process.stop('SIGINT');
    const c2 = await startChat(people.c, { peers: [relay.port] });
    await relay.waitFor(() => (relay.linkTo(people.c) && relay.linkTo(people.c) !== firstLink ? true : undefined), 'C back');
    expect(messageEvents(c2.process).filter((e) => e.history).map((e) => e.text)).toEqual(['genuine words', 'marker']);
    relay.sendTo(people.c, genuine.encoded);
    relay.sendTo(people.c, signMessage({ author: people.m.identity.publicKey, seq: 4, ts: Date.now(), kind: MessageKind.Public, body: text('marker 2') }, people.m.identity.secretKey).encoded);
    await waitForMessage(c2.process, 'marker 2');
    const live = messageEvents(c2.process).filter((e) => !e.history);
    expect(live.map((e) => e.text)).toEqual(['marker 2']);
    expect(a.process.hasExited).toBe(false);
  });

  it('a DM from A to C relayed by M is readable by C and absent from every byte M received', async () => {
    const { people, relay, a, c } = await setUp();
    const secret = 'meet at the old mill at 9';
    a.process.send(`/msg c ${secret}`);
    const sealed = await relay.waitForReceived((m) => m.kind === MessageKind.Direct, 'the DM record');
    expect(Buffer.concat(relay.capturedBytes).includes(Buffer.from(secret))).toBe(false);
    expect(Buffer.concat(relay.capturedBytes).includes(Buffer.from('old mill'))).toBe(false);
    relay.sendTo(people.c, sealed.encoded);
    expect(await waitForMessage(c.process, secret)).toMatchObject({ direct: true, name: 'a' });
  });
});
