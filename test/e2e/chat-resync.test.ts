// Catching up after being away, with real `swarm chat` processes: a node that was down
// gets exactly what it missed (all of it, not the last 200), what cannot be sent is
// reported as missing, a newly trusted key gets nothing written before it was trusted,
// and a joiner's screen marks the catch-up with one line.
import { describe, expect, it } from 'vitest';
import { TrustStore } from '../../src/identity/trust-store.js';
import { MAX_BACKLOG_MESSAGES_PER_AUTHOR } from '../../src/chat/chat-backlog.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { allTrusting, makePeople, messageEvents, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';

const TIMEOUT_MS = 120_000;

/** Resolves once `count()` reaches `atLeast`; rejects with what was seen after timeoutMs or when the child exits. */
function waitForCount(child: CliProcess, count: () => number, atLeast: number, what: string, timeoutMs = 60_000): Promise<unknown> {
  return child.waitForEvent(() => count() >= atLeast, timeoutMs, `${what} (${atLeast}; have ${count()})`).catch((error: Error) => {
    throw new Error(`${error.message}; count now ${count()}`);
  });
}

const textsFrom = (child: CliProcess, key: string) => messageEvents(child).filter((e) => e.from === key).map((e) => e.text as string);

describe('chat catch-up (real processes)', () => {
  it('B down while A and C each send 250: after B returns it has all 500, marked as backlog', { timeout: TIMEOUT_MS }, async () => {
    const names = ['a', 'b', 'c'] as const;
    const people = makePeople(names, allTrusting(names));
    const a = await startChat(people.a);
    const c = await startChat(people.c, { peers: [a.port] });
    const b = await startChat(people.b, { peers: [a.port] });
    await waitForPeers(a.process, 2);
    a.process.send('before b left');
    await waitForMessage(b.process, 'before b left');
    expect(await b.process.stop('SIGINT')).toBe(0);
    await a.process.waitForEvent((e) => e.event === 'peer-leave' && e.key === people.b.identity.keyText);

    const count = 250;
    for (let i = 0; i < count; i++) {
      a.process.send(`a${i}`);
      c.process.send(`c${i}`);
    }
    await waitForCount(a.process, () => textsFrom(a.process, people.c.identity.keyText).length, count, "C's messages at A");
    await waitForCount(c.process, () => textsFrom(c.process, people.a.identity.keyText).length, count + 1, "A's messages at C");

    const b2 = await startChat(people.b, { peers: [a.port] });
    const fromAOrC = () => messageEvents(b2.process).filter((e) => !e.history && (e.from === people.a.identity.keyText || e.from === people.c.identity.keyText));
    await waitForCount(b2.process, () => fromAOrC().length, 2 * count, 'the catch-up at B');
    const got = fromAOrC();
    const expected = [...Array.from({ length: count }, (_, i) => `a${i}`), ...Array.from({ length: count }, (_, i) => `c${i}`)];
    expect(got.map((e) => e.text).sort()).toEqual(expected.sort());
    expect(got.every((e) => e.backlog === true)).toBe(true);
    // In order per author, and nothing is reported missing.
    expect(textsFrom(b2.process, people.a.identity.keyText).filter((t) => t !== 'before b left')).toEqual(Array.from({ length: count }, (_, i) => `a${i}`));
    expect(b2.process.events.filter((e) => e.event === 'missing')).toEqual([]);
    // Live messages after the catch-up are not backlog.
    c.process.send('live after');
    const live = await waitForMessage(b2.process, 'live after');
    expect(live.backlog).toBeUndefined();
  });

  it('a gap that cannot be filled is reported: a missing event, and one line on the screen', { timeout: TIMEOUT_MS }, async () => {
    const names = ['a', 'b', 'h'] as const;
    const people = makePeople(names, allTrusting(names));
    const a = await startChat(people.a);
    const b = await startChat(people.b, { peers: [a.port] });
    const h = await startChat(people.h, { peers: [a.port] });
    await waitForPeers(a.process, 2);
    a.process.send('hello');
    await waitForMessage(b.process, 'hello');
    await waitForMessage(h.process, 'hello');
    expect(await b.process.stop('SIGINT')).toBe(0);
    expect(await h.process.stop('SIGINT')).toBe(0);
    await waitForCount(a.process, () => a.process.events.filter((e) => e.event === 'peer-leave').length, 2, 'both gone');

    // More than one catch-up carries of one author (it must not trip B's rate limit).
    const extra = 12;
    const total = MAX_BACKLOG_MESSAGES_PER_AUTHOR + extra;
    for (let i = 0; i < total; i++) a.process.send(`m${i}`);
    await a.process.waitForEvent((e) => e.event === 'sent' && e.text === `m${total - 1}`);

    const b2 = await startChat(people.b, { peers: [a.port] });
    const missing = await b2.process.waitForEvent((e) => e.event === 'missing', 30_000, 'missing event');
    expect(missing).toEqual({ event: 'missing', from: people.a.identity.keyText, name: 'a', count: extra });
    const caughtUp = textsFrom(b2.process, people.a.identity.keyText).filter((t) => t !== 'hello');
    // The newest were sent; the oldest are the gap.
    expect(caughtUp).toEqual(Array.from({ length: MAX_BACKLOG_MESSAGES_PER_AUTHOR }, (_, i) => `m${i + extra}`));
    expect(b2.process.events.filter((e) => e.event === 'rate-limited')).toEqual([]);

    // The same gap on a human screen; B (now caught up) fills nothing of it.
    const h2 = await startChat(people.h, { peers: [a.port, b2.port], json: false });
    const line = await h2.process.waitForLine(/messages from a are missing/, 30_000);
    expect(line).toBe(`* ${extra} messages from a are missing (older than the peers' history window, or more than a catch-up carries)`);
    await h2.process.waitForLine(new RegExp(`\\] a: m${total - 1}$`));
    await waitForPeers(b2.process, 2);
    h2.process.send('/peers');
    await h2.process.waitForLine(/^\* b /);
    expect(h2.process.lines.filter((l) => /are missing/.test(l))).toHaveLength(1);
  });

  it('a newly trusted key gets nothing written before it was trusted', { timeout: TIMEOUT_MS }, async () => {
    const names = ['a', 'm'] as const;
    const people = makePeople(names, { m: ['a'] });
    const a = await startChat(people.a);
    a.process.send('said before m was trusted');
    await a.process.waitForEvent((e) => e.event === 'sent');
    expect(await a.process.stop('SIGINT')).toBe(0);

    TrustStore.load(people.a.home).add(people.m.identity.keyText, 'm');
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later millisecond than the trust entry
    const a2 = await startChat(people.a);
    a2.process.send('said after m was trusted');
    await a2.process.waitForEvent((e) => e.event === 'sent' && e.text === 'said after m was trusted');
    const m = await startChat(people.m, { peers: [a2.port] });
    // Backlog goes oldest first in one batch: had the older message been sent, it came first.
    const after = await waitForMessage(m.process, 'said after m was trusted');
    expect(after.backlog).toBe(true);
    a2.process.send('live');
    await waitForMessage(m.process, 'live');
    expect(messageEvents(m.process).map((e) => e.text)).toEqual(['said after m was trusted', 'live']);
  });

  it("a joiner's screen marks the catch-up with one line before its first message", { timeout: TIMEOUT_MS }, async () => {
    const names = ['a', 'b'] as const;
    const people = makePeople(names, allTrusting(names));
    const a = await startChat(people.a);
    a.process.send('old one');
    a.process.send('old two');
    await a.process.waitForEvent((e) => e.event === 'sent' && e.text === 'old two');
    const b = await startChat(people.b, { peers: [a.port], json: false });
    await b.process.waitForLine(/\] a: old two$/);
    a.process.send('new one');
    await b.process.waitForLine(/\] a: new one$/);
    const lines = b.process.lines;
    const marker = lines.indexOf('-- earlier messages --');
    expect(lines.filter((l) => l === '-- earlier messages --')).toHaveLength(1);
    expect(lines[marker + 1]).toMatch(/^\[\d\d:\d\d\] a: old one$/);
    expect(lines[marker + 2]).toMatch(/^\[\d\d:\d\d\] a: old two$/);
    expect(lines.findIndex((l) => /a: new one$/.test(l))).toBeGreaterThan(marker + 2);
  });
});
