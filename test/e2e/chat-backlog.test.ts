// What a node keeps and what a newly joining peer gets. Real `swarm chat` processes: A is
// the hub, B and C connect to it. A relays C's DM to B but does not store it; then J
// joins A (a recording peer on the real node and codec: test/chat/helpers/forging-relay.ts)
// and gets the public backlog of the last 24 h and only the DMs addressed to J: no DM
// between others, sealed or not, and not A's message from 25 h ago.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatHistory, HISTORY_FILE } from '../../src/chat/chat-history.js';
import { bodyText, MessageKind, signMessage } from '../../src/chat/chat-message.js';
import { DirectSealer } from '../../src/chat/direct-message.js';
import { allTrusting, makePeople, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';
import { ForgingRelay } from '../chat/helpers/forging-relay.js';

const NAMES = ['a', 'b', 'c', 'j'] as const;
const relays: ForgingRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
});

describe('swarm chat backlog and DM storage', () => {
  it('a relay keeps no DM between others, and a joining peer gets a day of public backlog and only its own DMs', async () => {
    const people = makePeople(NAMES, allTrusting(NAMES));
    // A's history already holds a message of its own from 25 hours ago.
    const old = ChatHistory.open(people.a.home);
    const dayAndHourAgo = Date.now() - 25 * 3600_000;
    old.append(signMessage({ author: people.a.identity.publicKey, seq: 1, ts: dayAndHourAgo, kind: MessageKind.Public, body: new TextEncoder().encode('from yesterday') }, people.a.identity.secretKey));
    old.close();

    const a = await startChat(people.a);
    const b = await startChat(people.b, { peers: [a.port] });
    const c = await startChat(people.c, { peers: [a.port] });
    await waitForPeers(a.process, 2);
    a.process.send('fresh public');
    c.process.send('/msg b from c to b only');
    a.process.send('/msg b from a to b only');
    a.process.send('/msg j waiting for j');
    await waitForMessage(b.process, 'from c to b only');
    await waitForMessage(b.process, 'from a to b only');
    a.process.send('last before j');
    await waitForMessage(c.process, 'last before j');

    // A relayed C's DM to B without keeping it; it keeps the DMs it wrote itself.
    const aHistory = readFileSync(join(people.a.home, HISTORY_FILE), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { from: string; kind: string });
    const aDirect = aHistory.filter((line) => line.kind === 'direct');
    expect(aDirect.map((line) => line.from)).toEqual([people.a.identity.keyText, people.a.identity.keyText]);

    const j = await ForgingRelay.start(people.j);
    relays.push(j);
    await j.dial(a.port);
    await j.waitForReceived((m) => bodyText(m) === 'last before j', 'the backlog');
    a.process.send('live after j');
    await j.waitForReceived((m) => bodyText(m) === 'live after j', 'a live message');

    const publicTexts = j.received.filter((m) => m.kind === MessageKind.Public).map(bodyText);
    expect(publicTexts).toEqual(['fresh public', 'last before j', 'live after j']);
    const direct = j.received.filter((m) => m.kind === MessageKind.Direct);
    expect(direct).toHaveLength(1);
    expect(Buffer.from(DirectSealer.recipientOf(direct[0]!.body)!).equals(Buffer.from(people.j.identity.publicKey))).toBe(true);
    const sealer = new DirectSealer(people.j.identity.publicKey, people.j.identity.secretKey);
    expect(sealer.open(direct[0]!.body, direct[0]!.author)).toBe('waiting for j');
    expect(j.received.every((m) => m.ts > dayAndHourAgo)).toBe(true);
  });
});
