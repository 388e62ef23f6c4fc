/**
 * Names in torrent metadata come from peers: `..`, absolute paths, separators, device
 * names and control characters are refused before webtorrent creates any file — both
 * as a unit and through a real ut_metadata exchange with a peer serving such metadata.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import bencode from 'bencode';
import { afterEach, describe, expect, it } from 'vitest';
import { GetSession } from '../../src/share/get-session.js';
import { createLockedClient, destroyClient } from '../../src/share/locked-client.js';
import { checkTorrentMetadata } from '../../src/share/metadata-guard.js';
import { buildMagnetLink, parseMagnetLink } from '../../src/share/magnet-link.js';
import { TorrentPeers } from '../../src/share/torrent-peers.js';
import { TorrentRouter } from '../../src/share/torrent-router.js';
import { tempDir } from '../helpers/temp-home.js';
import { PlainLoopbackNode } from './plain-loopback-node.js';

const DATA = Buffer.from('hello, world');

function torrentWith(info: Record<string, unknown>): Uint8Array {
  return bencode.encode({ info: { 'piece length': 16384, pieces: createHash('sha1').update(DATA).digest(), ...info } });
}

const single = (name: string) => torrentWith({ name, length: DATA.length });
const multi = (path: string[]) => torrentWith({ name: 'folder', files: [{ length: DATA.length, path }] });

describe('checkTorrentMetadata', () => {
  it('accepts ordinary names', () => {
    expect(checkTorrentMetadata(single('report 2024.pdf')).name).toBe('report 2024.pdf');
    expect(checkTorrentMetadata(multi(['disc 1', 'track.flac'])).files[0]!.path).toEqual(['disc 1', 'track.flac']);
  });

  it.each([
    ['..', single('..')],
    ['.', single('.')],
    ['a/b', single('a/b')],
    ['/etc', single('/etc')],
    ['..\\x', single('..\\x')],
    ['CON', single('CON')],
    ['nul.txt', single('nul.txt')],
    ['C:x', single('C:x')],
    ['ESC', single('\u001b[31mred')],
    ['bidi', single('gpj.\u202eexe')],
    ['../ in files', multi(['..', 'escape.txt'])],
    ['absolute in files', multi(['/tmp', 'x'])],
    ['empty component', multi(['', 'x'])],
  ])('refuses %s', (_label, metadata) => {
    expect(() => checkTorrentMetadata(metadata)).toThrow(expect.objectContaining({ code: 'UNSAFE_NAME' }));
  });

  it('refuses garbage', () => {
    expect(() => checkTorrentMetadata(Buffer.from('not bencode'))).toThrow(expect.objectContaining({ code: 'BAD_METADATA' }));
    expect(() => checkTorrentMetadata(torrentWith({ name: 'x', files: [{ length: 1 }] }))).toThrow(expect.objectContaining({ code: 'BAD_METADATA' }));
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A peer that serves the given metadata over ut_metadata (it has no data to give). */
async function evilPeer(metadata: Uint8Array): Promise<{ node: PlainLoopbackNode; infoHash: string }> {
  const node = new PlainLoopbackNode();
  await node.listen();
  const router = new TorrentRouter(node);
  const client = await createLockedClient();
  const torrent = client.add(metadata, { path: tempDir(), announce: [], private: true });
  await new Promise<void>((resolve) => torrent.once('ready', () => resolve()));
  const peers = new TorrentPeers({ torrent, node, ownKeyText: node.keyText, listenPort: node.port, isAllowed: () => true });
  router.add(torrent.infoHash, peers);
  cleanups.push(async () => {
    peers.close();
    await destroyClient(client);
    await node.close();
  });
  return { node, infoHash: torrent.infoHash };
}

describe('a peer serving unsafe names over ut_metadata', () => {
  it.each([
    ['name ..', single('..')],
    ['file path ../escape.txt', multi(['..', 'escape.txt'])],
  ])('is refused before anything is written (%s)', async (_label, metadata) => {
    const { node: evil, infoHash } = await evilPeer(metadata);
    const getterNode = new PlainLoopbackNode();
    await getterNode.listen();
    cleanups.push(() => getterNode.close());
    const root = tempDir();
    const out = join(root, 'deep', 'out');
    const magnet = buildMagnetLink({ infoHash, peers: [{ host: evil.host, port: evil.port }], keyText: evil.keyText });
    const session = new GetSession({
      node: getterNode, router: new TorrentRouter(getterNode), ownKeyText: getterNode.keyText, listenPort: getterNode.port,
      magnet: parseMagnetLink(magnet), extraPeers: [], outDir: out, isForced: false, isAllowed: () => true,
    });
    cleanups.push(() => session.close());
    await expect(session.run()).rejects.toMatchObject({ code: 'UNSAFE_NAME' });
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(join(root, 'deep'))).toEqual(['out']);
  }, 20_000);
});
