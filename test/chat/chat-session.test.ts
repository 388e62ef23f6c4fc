import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatSession, type ChatEntry } from '../../src/chat/chat-session.js';
import { ChatHistory, HISTORY_FILE } from '../../src/chat/chat-history.js';
import { encodeMessageRecord } from '../../src/chat/chat-record-codec.js';
import type { TrustEntry } from '../../src/identity/trust-store.js';
import { createIdentity, type Identity } from '../../src/identity/identity.js';
import { encodeKeyText } from '../../src/identity/key-text.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { tempDir } from '../helpers/temp-home.js';

class ListTrust {
  constructor(readonly entries: TrustEntry[]) {}
  list() {
    return this.entries;
  }
  allows(key: Uint8Array) {
    return this.entries.some((e) => Buffer.from(e.publicKey).equals(key));
  }
  nameOf(key: Uint8Array) {
    return this.entries.find((e) => Buffer.from(e.publicKey).equals(key))?.name;
  }
  find(name: string) {
    return this.entries.find((e) => e.name === name || e.key === name);
  }
}

const entry = (name: string, pair: Identity): TrustEntry => ({
  name,
  key: encodeKeyText(pair.publicKey),
  publicKey: pair.publicKey,
  added: '2020-01-01T00:00:00.000Z',
});

interface Member {
  pair: Identity;
  home: string;
  node: SwarmNode;
  port: number;
  session: ChatSession;
  history: ChatHistory;
  seen: ChatEntry[];
}

const sessions: ChatSession[] = [];
const nodes: SwarmNode[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

/** A chat session on a real SwarmNode on 127.0.0.1; the node and the chat share one trust list. */
async function member(pair: Identity, trusted: TrustEntry[], peers: Member[] = [], home = tempDir(), port = 0): Promise<Member> {
  const trust = new ListTrust(trusted);
  const node = new SwarmNode({ identity: pair, trust, host: '127.0.0.1', port });
  nodes.push(node);
  const listening = await node.listen();
  const history = ChatHistory.open(home);
  const session = new ChatSession({
    identity: pair,
    trust,
    node,
    history,
    peers: peers.map((p) => ({ host: '127.0.0.1', port: p.port })),
    redialMinDelayMs: 10,
    redialMaxDelayMs: 50,
  });
  const seen: ChatEntry[] = [];
  session.on('message', (e) => seen.push(e));
  session.start();
  sessions.push(session);
  return { pair, home, node, port: listening.port, session, history, seen };
}

/** Like the process going away: its links drop and its port stops answering. */
async function stop(m: Member): Promise<void> {
  await m.session.close();
  m.history.close();
  await m.node.close();
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function chainABC() {
  const keys = { a: createIdentity(), b: createIdentity(), c: createIdentity() };
  const names = { a: entry('alice', keys.a), b: entry('bob', keys.b), c: entry('carol', keys.c) };
  const all = [names.a, names.b, names.c];
  const a = await member(keys.a, all);
  const b = await member(keys.b, all, [a]);
  const c = await member(keys.c, all, [b]);
  return { keys, names, all, a, b, c };
}

describe('chat session (over SwarmNodes on 127.0.0.1)', () => {
  it('A and C talk through B; names come from the trust store', async () => {
    const { a, b, c } = await chainABC();
    await until(() => b.session.peers().length === 2, 'links');
    a.session.send('hi carol');
    c.session.send('hi alice');
    await until(() => c.seen.length === 1 && a.seen.length === 1, 'delivery');
    expect(c.seen[0]).toMatchObject({ name: 'alice', text: 'hi carol', direct: false, isOwn: false });
    expect(a.seen[0]).toMatchObject({ name: 'carol', text: 'hi alice' });
  });

  it('a DM from A to C is readable by C only; B relays it sealed and does not keep it; C keeps it sealed', async () => {
    const { a, b, c } = await chainABC();
    await until(() => b.session.peers().length === 2, 'links');
    const own = a.session.sendDirect('carol', 'secret plan');
    expect(own).toMatchObject({ direct: true, toName: 'carol', text: 'secret plan', isOwn: true });
    await until(() => c.seen.length === 1, 'DM');
    expect(c.seen[0]).toMatchObject({ name: 'alice', text: 'secret plan', direct: true, toName: 'me' });
    expect(b.seen).toEqual([]);
    b.history.flush();
    c.history.flush();
    // A relay stores no DM between others (it could never read it: keeping it only costs disk and backlog).
    expect(readFileSync(join(b.home, HISTORY_FILE), 'utf8')).not.toContain('"kind":"direct"');
    const cHistory = readFileSync(join(c.home, HISTORY_FILE), 'utf8');
    expect(cHistory).toContain('"kind":"direct"');
    expect(cHistory).not.toContain('secret plan');
    expect(Buffer.from(cHistory.split('"msg":"')[1]!.split('"')[0]!, 'base64').includes('secret plan')).toBe(false);
    expect(() => a.session.sendDirect('nobody', 'x')).toThrow(/no trusted key is named "nobody"/);
  });

  it('history survives a restart and restores replay protection', async () => {
    const keys = { a: createIdentity(), b: createIdentity() };
    const all = [entry('alice', keys.a), entry('bob', keys.b)];
    const a = await member(keys.a, all);
    const homeB = tempDir();
    const b = await member(keys.b, all, [a], homeB);
    await until(() => a.session.peers().length === 1, 'link');
    a.session.send('one');
    a.session.send('two');
    await until(() => b.seen.length === 2, 'delivery');
    await stop(b);
    // B restarts with the same home: history is shown; A's catch-up sends nothing B
    // holds, and a replay of those messages is not delivered again.
    const b2 = await member(keys.b, all, [a], homeB);
    expect(b2.session.historyEntries(10).map((e) => e.text)).toEqual(['one', 'two']);
    await until(() => b2.session.peers().length === 1, 'relink');
    a.session.send('three');
    await until(() => b2.seen.length === 1, 'new message');
    expect(b2.seen.map((e) => e.text)).toEqual(['three']);
    expect(b2.session.router.rejectCounts.seen).toBe(0);
    const replayLink = { remoteKey: keys.a.publicKey, send: () => {} };
    for (const old of a.history.recent(3).slice(0, 2)) {
      const record = encodeMessageRecord(8, old.encoded);
      expect(b2.session.router.receive(replayLink, { type: record[4]!, payload: record.subarray(5) })).toBeUndefined();
    }
    expect(b2.session.router.rejectCounts.seen).toBe(2);
    expect(b2.seen.map((e) => e.text)).toEqual(['three']);
  });

  it('stops showing an author, live or from history, once their key is no longer trusted', async () => {
    const keys = { a: createIdentity(), b: createIdentity() };
    const a = await member(keys.a, [entry('alice', keys.a), entry('bob', keys.b)]);
    const bTrust = [entry('alice', keys.a)];
    const b = await member(keys.b, bTrust, [a]);
    await until(() => a.session.peers().length === 1, 'link');
    a.session.send('while trusted');
    await until(() => b.seen.length === 1, 'delivery');
    expect(b.session.historyEntries(10).map((e) => e.text)).toEqual(['while trusted']);
    bTrust.splice(0); // bob removes alice
    expect(b.session.historyEntries(10)).toEqual([]);
    a.session.send('after removal');
    await until(() => b.session.router.rejectCounts.untrusted === 1, `rejection ${JSON.stringify(b.session.router.rejectCounts)}`);
    expect(b.seen).toHaveLength(1);
  });

  it('redials a peer that went away and catches up on what it missed', async () => {
    const { keys, all, a, b, c } = await chainABC();
    await until(() => b.session.peers().length === 2, 'links');
    // B goes away; C keeps redialing it.
    await stop(b);
    await until(() => c.session.peers().length === 0 && a.session.peers().length === 0, 'links down');
    a.session.send('while B was away');
    // Back on the same port, where C is still redialing.
    const b2 = await member(keys.b, all, [a], b.home, b.port);
    await until(() => b2.session.peers().length === 2, 'B back with both links');
    await until(() => c.seen.some((e) => e.text === 'while B was away'), 'catch-up at C');
    c.session.send('back again');
    await until(() => a.seen.some((e) => e.text === 'back again'), 'delivery after reconnect');
    expect(c.seen.filter((e) => e.text === 'while B was away')).toHaveLength(1);
  });
});
