// Real `swarm chat` processes over loopback TCP, chained A - B - C (A and C are not
// connected to each other): delivery both ways through B, DMs sealed past B, untrusted
// authors dropped, terminal escapes printed escaped, and a burst delivered in full.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTrusting, makePeople, messageEvents, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';
import { runCli } from '../helpers/cli.js';
import type { CliProcess } from '../helpers/cli-process.js';

const NAMES = ['a', 'b', 'c'] as const;

async function startChain(trusts = allTrusting(NAMES)) {
  const people = makePeople(NAMES, trusts);
  const a = await startChat(people.a);
  const b = await startChat(people.b, { peers: [a.port] });
  const c = await startChat(people.c, { peers: [b.port] });
  await waitForPeers(b.process, 2);
  await waitForPeers(a.process, 1);
  await waitForPeers(c.process, 1);
  return { people, a, b, c };
}

/**
 * Asks the running chat for its trust list (`/trust`) until `name` is gone from it: a reply
 * that must come after the node re-read the trust file, instead of a fixed wait for it.
 * Bounded: 100 questions, 100 ms apart.
 */
async function untilUntrusted(child: CliProcess, name: string): Promise<void> {
  const trustReplies = () => child.events.filter((event) => event.event === 'trust');
  for (let asked = trustReplies().length + 1, tries = 0; tries < 100; asked++, tries++) {
    child.send('/trust');
    await child.waitForEvent(() => trustReplies().length >= asked, 10_000, '/trust reply');
    const peers = trustReplies().at(-1)!.peers as { name: string }[];
    if (!peers.some((peer) => peer.name === name)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the running chat still trusts ${name}`);
}

describe('swarm chat, A - B - C chain (real processes)', () => {
  it('delivers both ways through B, names from the trust store, and a burst arrives complete and in order', async () => {
    const { people, a, b, c } = await startChain();
    a.process.send('hello from a');
    const atC = await waitForMessage(c.process, 'hello from a');
    expect(atC).toMatchObject({ from: people.a.identity.keyText, name: 'a' });
    expect(typeof atC.ts).toBe('number');
    c.process.send('hello from c');
    expect(await waitForMessage(a.process, 'hello from c')).toMatchObject({ from: people.c.identity.keyText, name: 'c' });
    await waitForMessage(b.process, 'hello from a');

    const burst = Array.from({ length: 300 }, (_, i) => `burst ${i}`);
    a.process.send(burst.join('\n'));
    await waitForMessage(c.process, 'burst 299');
    const received = messageEvents(c.process).map((e) => e.text).filter((t) => String(t).startsWith('burst '));
    expect(received).toEqual(burst);
  });

  it('a DM from A to C is readable by C and never at B (output or history)', async () => {
    const { people, a, b, c } = await startChain();
    const secret = 'the vault code is 7291';
    a.process.send(`/msg c ${secret}`);
    const dm = await waitForMessage(c.process, secret);
    expect(dm).toMatchObject({ direct: true, name: 'a', toName: 'me', from: people.a.identity.keyText });
    // A marker sent after the DM over the same links: once B has it, B has handled the DM.
    a.process.send('after the dm');
    await waitForMessage(b.process, 'after the dm');
    expect(b.process.lines.join('\n')).not.toContain('7291');
    const bHistory = readFileSync(join(people.b.home, 'chat-history.jsonl'), 'utf8');
    // B relayed it (C got it through B) but stores no DM between others, sealed or not.
    expect(bHistory).not.toContain('"kind":"direct"');
    expect(readFileSync(join(people.c.home, 'chat-history.jsonl'), 'utf8')).toContain('"kind":"direct"');
    const decodedLines = bHistory
      .trim()
      .split('\n')
      .map((line) => Buffer.from((JSON.parse(line) as { msg: string }).msg, 'base64').toString('latin1'));
    expect(decodedLines.join('\n')).not.toContain('7291');
    expect(bHistory).not.toContain('7291');
    // A DM to an unknown name is a clear error, not a crash.
    a.process.send('/msg nobody hi');
    expect(await a.process.waitForEvent((e) => e.event === 'error')).toMatchObject({ message: expect.stringMatching(/no trusted key is named "nobody"/) });
  });

  it('C does not show (or store) an author it does not trust, even relayed by trusted B', async () => {
    const { people, a, b, c } = await startChain({ a: ['b'], b: ['a', 'c'], c: ['b'] });
    a.process.send('from a, unknown to c');
    await waitForMessage(b.process, 'from a, unknown to c');
    b.process.send('marker from b');
    await waitForMessage(c.process, 'marker from b');
    expect(messageEvents(c.process).map((e) => e.text)).toEqual(['marker from b']);
    expect(readFileSync(join(people.c.home, 'chat-history.jsonl'), 'utf8')).not.toContain(people.a.identity.keyText);
    c.process.send('from c, unknown to a');
    await waitForMessage(b.process, 'from c, unknown to a');
    b.process.send('second marker');
    await waitForMessage(a.process, 'second marker');
    expect(messageEvents(a.process).map((e) => e.text)).not.toContain('from c, unknown to a');
  });

  it('stops showing an author within seconds of `swarm trust remove`, while the chat runs', async () => {
    const { people, a, b, c } = await startChain();
    a.process.send('while trusted');
    await waitForMessage(c.process, 'while trusted');
    const removed = await runCli(['trust', 'remove', 'a'], { home: people.c.home });
    expect(removed.code).toBe(0);
    await untilUntrusted(c.process, 'a'); // the running node re-reads the trust file every 500 ms
    a.process.send('after removal');
    await waitForMessage(b.process, 'after removal');
    b.process.send('marker after removal');
    await waitForMessage(c.process, 'marker after removal');
    expect(messageEvents(c.process).map((e) => e.text)).toEqual(['while trusted', 'marker after removal']);
  });

  it('prints an ANSI escape in a message body escaped, in human output and in --json', async () => {
    const people = makePeople(['a', 'd'] as const, allTrusting(['a', 'd'] as const));
    const a = await startChat(people.a);
    const d = await startChat(people.d, { peers: [a.port], json: false });
    await waitForPeers(a.process, 1);
    a.process.send('look \u001b[31mred\u001b[0m \u001b]0;pwned\u0007 done');
    const line = await d.process.waitForLine(/look .* done/);
    expect(line).toContain('look \\x1b[31mred\\x1b[0m \\x1b]0;pwned\\x07 done');
    expect(d.process.lines.join('\n')).not.toMatch(/[\u001b\u0007]/);
    d.process.send('\u001b[2Jback \u009b31m');
    const json = await a.process.waitForEvent((e) => e.event === 'message');
    expect(json.text).toBe('\u001b[2Jback \u009b31m'); // JSON carries the exact text ...
    expect(a.process.lines.join('\n')).not.toMatch(/[\u001b\u009b]/); // ... but escaped on the wire to the terminal
  });
});
