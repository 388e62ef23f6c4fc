/**
 * Who gets nothing, and is told why: links from untrusted keys, getters the sharer does
 * not trust or --allow, a plain BitTorrent client that knows the infohash (on every
 * port the sharer listens on), malformed links and missing files.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import Wire from 'bittorrent-protocol';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, startGetter, startSharer } from '../share/cli-peers.js';

/** TCP ports (and the count of UDP sockets) a process listens on, from /proc. */
function listeningSockets(pid: number): { tcpPorts: number[]; udpSockets: number } {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // fd closed while listing
    }
  }
  const rows = (file: string) =>
    existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/)) : [];
  const tcpPorts = [...rows('/proc/net/tcp'), ...rows('/proc/net/tcp6')]
    .filter((cols) => cols[3] === '0A' && inodes.has(cols[9]!))
    .map((cols) => parseInt(cols[1]!.split(':')[1]!, 16));
  const udpSockets = [...rows('/proc/net/udp'), ...rows('/proc/net/udp6')].filter((cols) => inodes.has(cols[9]!)).length;
  return { tcpPorts: [...new Set(tcpPorts)], udpSockets };
}

/** Speaks plain BitTorrent to host:port for a while; reports what the other end revealed. */
function plainBitTorrentProbe(port: number, infoHash: string): Promise<{ handshake: boolean; bitfield: boolean; extended: boolean; piece: boolean }> {
  return new Promise((resolve) => {
    const seen = { handshake: false, bitfield: false, extended: false, piece: false };
    const socket = net.connect(port, '127.0.0.1');
    const wire = new Wire();
    socket.on('error', () => {});
    wire.on('error', () => {});
    socket.pipe(wire).pipe(socket);
    wire.on('handshake', () => {
      seen.handshake = true;
      wire.interested();
      (wire as unknown as { request(i: number, o: number, l: number, cb: () => void): void }).request(0, 0, 16384, () => {});
    });
    wire.on('bitfield', () => (seen.bitfield = true));
    wire.on('have-all', () => (seen.bitfield = true));
    wire.on('extended', () => (seen.extended = true));
    wire.on('piece', () => (seen.piece = true));
    socket.on('connect', () => {
      (wire as unknown as { handshake(i: string, p: string, e: object): void }).handshake(infoHash, randomBytes(20).toString('hex'), { dht: true, fast: true });
    });
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(seen);
    });
  });
}

describe('share/get refusals', () => {
  it('refuses a link whose key is not trusted, printing the exact trust command', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob'], () => false);
    const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=x&x.pe=127.0.0.1%3A9&x.key=${alice!.key}`;
    const result = await runCli(['get', magnet, '-o', tempDir()], { home: bob!.home });
    expectCleanFailure(result, 1, new RegExp(`do not trust.*swarm trust add ${alice!.key} --name`));
  });

  it('a getter the sharer does not trust gets nothing and is told why', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob'], (a) => a === 'bob'); // bob trusts alice, not vice versa
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.bin'), randomBytes(500_000));
    const { child: sharer, magnet } = await startSharer(alice!, join(dir, 'secret.bin'));
    const result = await runCli(['get', magnet, '-o', join(dir, 'out')], { home: bob!.home, timeoutMs: 40_000 });
    expectCleanFailure(result, 1, new RegExp(`could not fetch.*swarm trust add ${bob!.key}`));
    expect(existsSync(join(dir, 'out', 'secret.bin'))).toBe(false);
    const status = await sharer.waitForEvent((e) => e.event === 'status', 5000, 'status');
    expect(status.uploaded).toBe(0);
  }, 60_000);

  it('--allow narrows who may fetch a share', async () => {
    const [alice, bob, carol] = makeUsers(['alice', 'bob', 'carol']);
    const dir = tempDir();
    writeFileSync(join(dir, 'for-bob.bin'), randomBytes(300_000));
    const { magnet } = await startSharer(alice!, join(dir, 'for-bob.bin'), ['--allow', 'bob']);
    const refused = await runCli(['get', magnet, '-o', join(dir, 'carol')], { home: carol!.home, timeoutMs: 40_000 });
    expectCleanFailure(refused, 1, /alice's share is limited to certain people \(--allow\) and you are not one of them/);
    expect(existsSync(join(dir, 'carol', 'for-bob.bin'))).toBe(false);
    const allowed = startGetter(bob!, magnet, join(dir, 'bob'));
    expect(await allowed.exited).toBe(0);
  }, 60_000);

  it('a plain BitTorrent client that knows the infohash gets no piece and no metadata on any port', async () => {
    const [alice] = makeUsers(['alice']);
    const dir = tempDir();
    writeFileSync(join(dir, 'private.bin'), randomBytes(1_000_000));
    const { child, magnet, port } = await startSharer(alice!, join(dir, 'private.bin'));
    const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)![1]!;
    const sockets = listeningSockets(child.child.pid!);
    expect(sockets.tcpPorts).toEqual([port]); // webtorrent's own listener is closed
    expect(sockets.udpSockets).toBe(0); // no DHT, no uTP, no LSD
    for (const probePort of sockets.tcpPorts) {
      const seen = await plainBitTorrentProbe(probePort, infoHash);
      expect(seen).toEqual({ handshake: false, bitfield: false, extended: false, piece: false });
    }
  }, 30_000);

  it('malformed magnets and missing files are one-line errors', async () => {
    const [alice] = makeUsers(['alice']);
    const home = alice!.home;
    expectCleanFailure(await runCli(['get', 'not-a-magnet'], { home }), 1, /not a valid swarm magnet link: it must start with "magnet:\?"/);
    expectCleanFailure(await runCli(['get', 'magnet:?dn=x'], { home }), 1, /no xt=urn:btih/);
    expectCleanFailure(await runCli(['get', 'magnet:?xt=urn:btih:1234'], { home }), 1, /40 hex/);
    expectCleanFailure(await runCli(['get', `magnet:?xt=urn:btih:${'a'.repeat(40)}&x.key=swarm1nope`], { home }), 1, /not a valid swarm key/);
    expectCleanFailure(await runCli(['get', `magnet:?xt=urn:btih:${'a'.repeat(40)}&x.pe=nohost`], { home }), 1, /x\.pe "nohost" is not host:port/);
    expectCleanFailure(await runCli(['get', `magnet:?xt=urn:btih:${'a'.repeat(40)}`], { home }), 1, /names no address.*--peer/);
    expectCleanFailure(await runCli(['share', join(tempDir(), 'missing.bin')], { home }), 1, /cannot share .*missing\.bin: no such file or directory/);
    expectCleanFailure(await runCli(['share', '.', '--allow', 'nobody'], { home }), 2, /--allow: "nobody" is not in your trust list/);
    expectCleanFailure(await runCli(['share', '.', '--upload-limit', 'fast'], { home }), 2, /invalid rate/);
  }, 30_000);
});
