/**
 * Names in torrent metadata come from peers: `..`, absolute paths, separators, device
 * names and control characters are refused before webtorrent creates any file — both
 * as a unit and through a real ut_metadata exchange with a peer serving such metadata.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import bencode from 'bencode';
import { describe, expect, it } from 'vitest';
import { GetSession } from '../../src/share/get-session.js';
import { createLockedClient, destroyClient } from '../../src/share/locked-client.js';
import { checkTorrentMetadata } from '../../src/share/metadata-guard.js';
import { buildMagnetLink, parseMagnetLink } from '../../src/share/magnet-link.js';
import { TorrentPeers } from '../../src/share/torrent-peers.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeNode, onTeardown, type ShareNode } from './share-node-fixture.js';

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

  it.each([
    ['case collision', torrentWith({ name: 'f', files: [{ length: 6, path: ['Readme'] }, { length: 6, path: ['README'] }] })],
    ['NFC collision', torrentWith({ name: 'f', files: [{ length: 6, path: ['caf\u00e9'] }, { length: 6, path: ['cafe\u0301'] }] })],
    ['sharp s collision', torrentWith({ name: 'f', files: [{ length: 6, path: ['stra\u00dfe'] }, { length: 6, path: ['STRASSE'] }] })],
    ['folder case collision', torrentWith({ name: 'f', files: [{ length: 6, path: ['Dir', 'a'] }, { length: 6, path: ['dir', 'a'] }] })],
    ['exact duplicate', torrentWith({ name: 'f', files: [{ length: 6, path: ['a'] }, { length: 6, path: ['a'] }] })],
    ['file and folder of one name', torrentWith({ name: 'f', files: [{ length: 6, path: ['a'] }, { length: 6, path: ['a', 'b'] }] })],
    ['folder then file, folded', torrentWith({ name: 'f', files: [{ length: 6, path: ['A', 'b'] }, { length: 6, path: ['a'] }] })],
    ['"con " (trailing space)', single('con ')],
    ['"con .txt"', single('con .txt')],
    ['COM\u00b9', single('COM\u00b9')],
    ['lpt\u00b3.log', single('lpt\u00b3.log')],
    ['COM0', single('COM0')],
    ['aux.tar.gz', single('aux.tar.gz')],
    ['CONIN$', single('CONIN$')],
    ['trailing dot', single('notes.')],
    ['trailing dots in a folder', multi(['dir..', 'x'])],
    ['trailing space', single('notes ')],
  ])('refuses %s', (_label, metadata) => {
    expect(() => checkTorrentMetadata(metadata)).toThrow(expect.objectContaining({ code: 'UNSAFE_NAME' }));
  });

  it('accepts names that only look like device names', () => {
    for (const name of ['console.log', 'com10', 'lpt', 'nully', 'auxiliary.txt', 'com\u2074']) {
      expect(checkTorrentMetadata(single(name)).name).toBe(name);
    }
  });

  it('refuses hidden names at any depth unless allowed', () => {
    const hidden = [single('.bash_profile'), torrentWith({ name: '.ssh', files: [{ length: 12, path: ['authorized_keys'] }] }), multi(['sub', '.git', 'config'])];
    for (const metadata of hidden) {
      expect(() => checkTorrentMetadata(metadata)).toThrow(expect.objectContaining({ code: 'HIDDEN_NAME', hint: expect.stringMatching(/--allow-hidden/) }));
      expect(checkTorrentMetadata(metadata, { isHiddenAllowed: true }).files).toHaveLength(1);
    }
  });

  it('refuses a name other than the link\'s dn, naming both', () => {
    expect(() => checkTorrentMetadata(single('.bash_profile'), { name: 'holiday.jpg' })).toThrow(
      expect.objectContaining({ code: 'NAME_MISMATCH', message: expect.stringMatching(/link says "holiday\.jpg" but the sharer's metadata names "\.bash_profile"/) }),
    );
    expect(() => checkTorrentMetadata(single('holiday.JPG'), { name: 'holiday.jpg' })).toThrow(expect.objectContaining({ code: 'NAME_MISMATCH' }));
    expect(checkTorrentMetadata(single('holiday.jpg'), { name: 'holiday.jpg', length: DATA.length }).length).toBe(DATA.length);
  });

  it('refuses a total other than the link\'s xl', () => {
    expect(() => checkTorrentMetadata(single('a.bin'), { length: DATA.length + 1 })).toThrow(expect.objectContaining({ code: 'SIZE_MISMATCH', message: expect.stringMatching(/13 bytes.*totals 12/) }));
  });

  it.each([
    ['negative length', torrentWith({ name: 'x', length: -1 })],
    ['2^50-byte length', torrentWith({ name: 'x', length: 2 ** 50, pieces: Buffer.alloc(0) })],
    ['negative file in a list', torrentWith({ name: 'f', files: [{ length: 12, path: ['a'] }, { length: -12, path: ['b'] }] })],
    ['total over 2^40', torrentWith({ name: 'f', files: [{ length: 2 ** 40, path: ['a'] }, { length: 1, path: ['b'] }] })],
    ['length as a string', torrentWith({ name: 'x', length: '12' })],
    ['2 GiB piece length', torrentWith({ name: 'x', length: 12, 'piece length': 2 ** 31 })],
    ['1 KiB piece length', torrentWith({ name: 'x', length: 12, 'piece length': 1024 })],
    ['zero piece length', torrentWith({ name: 'x', length: 12, 'piece length': 0 })],
    ['too few piece hashes', torrentWith({ name: 'x', length: 40_000 })],
    ['empty file list', torrentWith({ name: 'f', files: [] })],
    ['info is a list', bencode.encode({ info: [1, 2] })],
    ['name is a number', torrentWith({ name: 5, length: 12 })],
  ])('refuses %s', (_label, metadata) => {
    expect(() => checkTorrentMetadata(metadata)).toThrow(expect.objectContaining({ code: 'BAD_METADATA' }));
  });

  it('accepts the limits themselves', () => {
    expect(checkTorrentMetadata(torrentWith({ name: 'x', length: 12, 'piece length': 16 * 1024 * 1024 })).pieceLength).toBe(16 * 1024 * 1024);
    expect(checkTorrentMetadata(torrentWith({ name: 'x', length: 2 ** 40, 'piece length': 16 * 1024 * 1024, pieces: Buffer.alloc(20 * 65536) })).length).toBe(2 ** 40);
  });

  it('refuses garbage', () => {
    expect(() => checkTorrentMetadata(Buffer.from('not bencode'))).toThrow(expect.objectContaining({ code: 'BAD_METADATA' }));
    expect(() => checkTorrentMetadata(torrentWith({ name: 'x', files: [{ length: 1 }] }))).toThrow(expect.objectContaining({ code: 'BAD_METADATA' }));
  });
});

/** A peer that serves the given metadata over ut_metadata (it has no data to give). */
async function evilPeer(metadata: Uint8Array): Promise<{ node: ShareNode; infoHash: string }> {
  const node = await makeNode();
  const client = await createLockedClient();
  const torrent = client.add(metadata, { path: tempDir(), announce: [], private: true });
  await new Promise<void>((resolve) => torrent.once('ready', () => resolve()));
  const peers = new TorrentPeers({ torrent, node: node.node, ownKeyText: node.keyText, listenPort: node.port, isAllowed: () => true });
  node.router.add(torrent.infoHash, peers);
  onTeardown(async () => {
    peers.close();
    await destroyClient(client);
  });
  return { node, infoHash: torrent.infoHash };
}

describe('a peer serving unsafe names over ut_metadata', () => {
  it.each([
    ['name ..', single('..')],
    ['file path ../escape.txt', multi(['..', 'escape.txt'])],
  ])('is refused before anything is written (%s)', async (_label, metadata) => {
    const { node: evil, infoHash } = await evilPeer(metadata);
    const getterNode = await makeNode();
    const root = tempDir();
    const out = join(root, 'deep', 'out');
    const magnet = buildMagnetLink({ infoHash, peers: [{ host: evil.host, port: evil.port }], keyText: evil.keyText });
    const session = new GetSession({
      node: getterNode.node, router: getterNode.router, ownKeyText: getterNode.keyText, listenPort: getterNode.port,
      magnet: parseMagnetLink(magnet), extraPeers: [], outDir: out, stateDir: tempDir(), isForced: false, isAllowed: () => true,
    });
    onTeardown(() => session.close());
    await expect(session.run()).rejects.toMatchObject({ code: 'UNSAFE_NAME' });
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(join(root, 'deep'))).toEqual(['out']);
  }, 20_000);
});
