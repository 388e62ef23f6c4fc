// Chat peers whose path dies silently (a relay stops forwarding without closing anything)
// and who come back from another address: the dialling side notices the dead link and
// redials; the other side, whose own timeout is far away, closes the dead link once the
// new link arrives and the old one fails its probe; messages flow both ways again. Before
// liveness neither side ever noticed, and what a sent went into the dead link.
import { describe, expect, it } from 'vitest';
import { startBlackholeRelay } from '../helpers/blackhole-relay.js';
import { allTrusting, makePeople, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';

const NAMES = ['a', 'b'] as const;

describe('swarm chat across a dead path and an address change (real processes)', () => {
  it('reconnects, drops the dead link on both sides, and carries messages again', async () => {
    const people = makePeople(NAMES, allTrusting(NAMES));
    const a = await startChat(people.a, { env: { SWARM_LINK_TIMEOUT_MS: '600000' } });
    const relay = await startBlackholeRelay({ host: '127.0.0.1', port: a.port }, { sourceAddress: '127.0.0.2' });
    const b = await startChat(people.b, { peers: [relay.port], env: { SWARM_LINK_TIMEOUT_MS: '2000' } });
    await waitForPeers(a.process, 1);
    await waitForPeers(b.process, 1);
    a.process.send('before the move');
    await waitForMessage(b.process, 'before the move');

    relay.sourceAddress = '127.0.0.3';
    relay.blackhole();
    await b.process.waitForEvent((e) => e.event === 'peer-leave', 20_000, 'b notices the dead link');
    // a's own timeout is 10 minutes: only the probe on b's new link can close the old one.
    const leftAtA = await a.process.waitForEvent((e) => e.event === 'peer-leave', 20_000, 'a drops the dead link');
    expect(leftAtA.host).toBe('127.0.0.2');
    await waitForPeers(a.process, 1);
    const joins = a.process.events.filter((e) => e.event === 'peer-join');
    expect(joins.at(-1)!.host).toBe('127.0.0.3');

    a.process.send('after the move');
    await waitForMessage(b.process, 'after the move');
    b.process.send('hello from the new address');
    await waitForMessage(a.process, 'hello from the new address');
  }, 60_000);
});
