// Real `swarm chat` processes stopped and started again: history is kept and shown on
// start, a peer that was away catches up on what it missed, and a node whose peer
// restarts on the same address reconnects by itself.
import { describe, expect, it } from 'vitest';
import { allTrusting, makePeople, messageEvents, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';

const NAMES = ['a', 'b'] as const;

describe('swarm chat across restarts (real processes)', () => {
  it('shows history after a restart and catches up on messages sent while away, each once', async () => {
    const people = makePeople(NAMES, allTrusting(NAMES));
    const a = await startChat(people.a);
    const b = await startChat(people.b, { peers: [a.port] });
    await waitForPeers(a.process, 1);
    a.process.send('before the restart');
    await waitForMessage(b.process, 'before the restart');
    b.process.send('b was here');
    await waitForMessage(a.process, 'b was here');
    expect(await b.process.stop('SIGINT')).toBe(0);

    await a.process.waitForEvent((e) => e.event === 'peer-leave');
    a.process.send('while b was away');
    const b2 = await startChat(people.b, { peers: [a.port] });
    const shown = messageEvents(b2.process).filter((e) => e.history);
    expect(shown.map((e) => [e.name, e.text])).toEqual([
      ['a', 'before the restart'],
      ['me', 'b was here'],
    ]);
    await waitForMessage(b2.process, 'while b was away');
    a.process.send('after the restart');
    await waitForMessage(b2.process, 'after the restart');
    const live = messageEvents(b2.process).filter((e) => !e.history).map((e) => e.text);
    expect(live).toEqual(['while b was away', 'after the restart']);
  });

  it('redials a peer that goes away and comes back on the same port', async () => {
    const people = makePeople(NAMES, allTrusting(NAMES));
    const a = await startChat(people.a);
    const b = await startChat(people.b, { peers: [a.port] });
    await waitForPeers(b.process, 1);
    await a.process.stop('SIGTERM');
    await b.process.waitForEvent((e) => e.event === 'peer-leave', 10_000, 'peer-leave');

    const a2 = await startChat(people.a, { port: a.port });
    await b.process.waitForEvent(() => b.process.events.filter((e) => e.event === 'peer-join').length === 2, 20_000, 'second peer-join');
    a2.process.send('a is back');
    await waitForMessage(b.process, 'a is back');
    b.process.send('welcome back');
    await waitForMessage(a2.process, 'welcome back');
  });
});
