/**
 * DHT discovery through the real CLI and a private DHT of 20 bittorrent-dht nodes on
 * loopback (one child process; LAN beacons off, so the DHT is the only way): `swarm get`
 * with a magnet stripped of x.pe finds the sharer; three `swarm chat`s with no --peer form
 * a chat; a stranger's node in the same DHT receives no identity key, fingerprint or
 * infohash in any datagram; the routing table is saved under SWARM_HOME and reused.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edPublicKeyToX25519 } from '../../src/crypto/box-keys.js';
import { decodeKeyText, fingerprint } from '../../src/identity/key-text.js';
import { cliEnv, expectCleanFailure, runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { startPrivateDht, type PrivateDht } from '../helpers/private-dht.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, stripAddresses, type TestUser } from '../share/cli-peers.js';
import { allTrusting, makePeople, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';

let dht: PrivateDht;
// The stranger's capture lives for the whole file (tempDir is per test).
const captureDir = mkdtempSync(join(tmpdir(), 'swarm-dht-capture-'));
const capturePath = join(captureDir, 'stranger.hex');

beforeAll(async () => {
  dht = await startPrivateDht({ count: 20, subnet: '127.0.41', capturePath });
}, 60_000);
afterAll(async () => {
  await dht?.stop();
  rmSync(captureDir, { recursive: true, force: true });
});

function dhtProcess(args: string[], home: string): CliProcess {
  return new CliProcess(args, { home, env: cliEnv(home, dht.env) });
}


/** The forms of a key, fingerprint or infohash a stranger could recognise: raw bytes (8-byte windows), hex, base32 key text. */
function forbiddenForms(keyTexts: string[], infoHashes: string[]): { bytes: Buffer[]; texts: string[] } {
  const bytes: Buffer[] = [];
  const texts: string[] = [];
  for (const keyText of keyTexts) {
    const key = decodeKeyText(keyText);
    for (const form of [Buffer.from(key), Buffer.from(edPublicKeyToX25519(key)!)]) {
      for (let i = 0; i + 8 <= 32; i += 8) bytes.push(form.subarray(i, i + 8));
      texts.push(form.toString('hex').slice(0, 16));
    }
    texts.push(keyText.slice(0, 16), fingerprint(key));
  }
  for (const infoHash of infoHashes) {
    const raw = Buffer.from(infoHash, 'hex');
    for (let i = 0; i + 8 <= 20; i += 6) bytes.push(raw.subarray(i, i + 8));
    texts.push(infoHash.slice(0, 16));
  }
  return { bytes, texts };
}

describe('swarm finds trusted peers through a private DHT (LAN off)', () => {
  it('get with a magnet stripped of x.pe finds the sharer through the DHT; a stranger DHT node sees nothing identifying', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    const source = join(tempDir(), 'holiday-photos.bin');
    writeFileSync(source, Buffer.alloc(1024 * 1024, 7));
    const share = dhtProcess(['share', source, '--host', '127.0.0.2', '--port', '0', '--json'], alice.home);
    const ready = await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready');
    const magnet = stripAddresses(String(ready.magnet));
    expect(magnet).not.toContain('x.pe');
    const out = tempDir();
    const get = dhtProcess(['get', magnet, '-o', out, '--host', '127.0.0.3', '--json'], bob.home);
    const found = await get.waitForEvent((e) => e.event === 'discovered', 60_000, 'discovered');
    expect(found).toMatchObject({ via: 'dht', key: alice.key, name: 'alice', address: `127.0.0.2:${Number(ready.port)}` });
    await get.waitForEvent((e) => e.event === 'done', 60_000, 'done');
    expect(await get.exited).toBe(0);
    expect(sameFile(source, join(out, 'holiday-photos.bin'))).toBe(true);
    await share.stop('SIGINT', 10_000);

    const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)![1]!;
    const captured = readFileSync(capturePath, 'utf8').trim().split('\n').map((line) => Buffer.from(line, 'hex'));
    // The stranger did take part: it received DHT queries from the swarm nodes (get_peers or announce_peer).
    expect(captured.some((d) => d.includes('get_peers') || d.includes('announce_peer'))).toBe(true);
    const { bytes, texts } = forbiddenForms([alice.key, bob.key], [infoHash]);
    for (const datagram of captured) {
      for (const form of bytes) expect(datagram.indexOf(form)).toBe(-1);
      const text = datagram.toString('latin1').toLowerCase();
      for (const form of texts) expect(text).not.toContain(form.toLowerCase());
      expect(text).not.toContain('holiday');
    }
  }, 180_000);

  it('three chats with no --peer form a chat over the DHT', async () => {
    const names = ['ann', 'ben', 'cat'] as const;
    const people = makePeople(names, allTrusting(names));
    const chats = names.map((name, i) =>
      new CliProcess(['chat', '--host', `127.0.0.${5 + i}`, '--port', '0', '--json'], { home: people[name].home, env: cliEnv(people[name].home, dht.env) }),
    );
    try {
      for (const chat of chats) await waitForPeers(chat, 2, 90_000);
      chats[0]!.send('hello over the dht');
      await waitForMessage(chats[1]!, 'hello over the dht', 20_000);
      await waitForMessage(chats[2]!, 'hello over the dht', 20_000);
      const via = chats.flatMap((chat) => chat.events.filter((e) => e.event === 'discovered').map((e) => e.via));
      expect(via.length).toBeGreaterThan(0);
      expect(new Set(via)).toEqual(new Set(['dht']));
    } finally {
      await Promise.all(chats.map((chat) => chat.stop('SIGINT', 10_000)));
    }
  }, 180_000);

  it('a bad --dht-bootstrap is a one-line usage error; with LAN and DHT off a stripped magnet names --peer', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']) as [TestUser, TestUser];
    expectCleanFailure(await runCli(['chat', '--host', '127.0.0.9', '--port', '0', '--dht-bootstrap', 'nohost'], { home: alice.home }), 2, /--dht-bootstrap: "nohost" is not host:port/);
    const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=x&x.key=${encodeURIComponent(alice.key)}`;
    expectCleanFailure(await runCli(['get', magnet, '-o', tempDir(), '--no-lan', '--no-dht'], { home: bob.home, env: cliEnv(bob.home, dht.env) }), 1, /names no address.*--peer host:port/);
  }, 60_000);

  it('the routing table is saved under SWARM_HOME (0600) and shown by swarm id --json', async () => {
    const [alice] = makeUsers(['alice']) as [TestUser];
    const chat = dhtProcess(['chat', '--host', '127.0.0.9', '--port', '0', '--json'], alice.home);
    await chat.waitForEvent((e) => e.event === 'ready', 30_000, 'chat ready');
    // The DHT bootstraps in the background; give it the time of one round.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await chat.stop('SIGINT', 10_000);
    const path = join(alice.home, 'dht-nodes.json');
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { bootstrap: string; nodes: { host: string }[] };
    expect(saved.bootstrap).toBe(dht.bootstrap);
    expect(saved.nodes.length).toBeGreaterThanOrEqual(10);
    expect(saved.nodes.every((n) => n.host.startsWith('127.0.41.'))).toBe(true);
    const id = JSON.parse((await runCli(['id', '--json'], { home: alice.home, env: cliEnv(alice.home, dht.env) })).stdout) as { announces: Record<string, unknown> };
    expect(id.announces).toEqual({ lan: false, dht: true, dhtBootstrap: dht.bootstrap, dhtPublic: false, dhtNodesSaved: saved.nodes.length });
    const off = JSON.parse((await runCli(['id', '--json'], { home: alice.home })).stdout) as { announces: Record<string, unknown> };
    expect(off.announces).toEqual({ lan: false, dht: false });
  }, 120_000);
});
