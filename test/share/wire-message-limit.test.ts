// A peer with a link (here over a plain loopback node, so the test speaks BitTorrent
// by hand) announces a message far larger than any swarm peer sends: the sharer must
// drop the connection instead of buffering it.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/identity/identity.js';
import { startShare } from '../../src/share/share-session.js';
import { MAX_WIRE_MESSAGE_BYTES } from '../../src/share/wire-message-limit.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeNode, onTeardown } from './plain-node-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function shareSmallFile() {
  const path = join(tempDir(), 'small.bin');
  writeFileSync(path, randomBytes(300_000));
  const { node, router } = await makeNode();
  const session = await startShare({
    node, router, ownKeyText: node.keyText, advertisedAddresses: [{ host: node.host, port: node.port }],
    listenPort: node.port, path, isAllowed: () => true,
  });
  onTeardown(() => session.close());
  return { node, infoHash: session.infoHash };
}

/** Opens a plain-node link to the sharer and completes the BitTorrent handshake by hand. */
async function handshakenSocket(port: number, infoHash: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  onTeardown(async () => void socket.destroy());
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(`torrent ${infoHash} ${createIdentity().keyText}\n`);
  const reserved = Buffer.alloc(8);
  reserved[5] = 0x10; // BEP 10 extensions
  socket.write(Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), reserved, Buffer.from(infoHash, 'hex'), randomBytes(20)]));
  let received = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no BitTorrent handshake from the sharer')), 10_000);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.includes(Buffer.from('BitTorrent protocol'))) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return socket;
}

describe('BitTorrent message length limit', () => {
  it('drops a peer that announces an oversized message, and still serves one that does not', async () => {
    const { node, infoHash } = await shareSmallFile();

    const polite = await handshakenSocket(node.port, infoHash);
    const keepAlive = Buffer.alloc(4); // length 0
    polite.write(keepAlive);

    const greedy = await handshakenSocket(node.port, infoHash);
    let isClosed = false;
    greedy.on('close', () => (isClosed = true));
    greedy.on('error', () => {});
    const header = Buffer.alloc(5);
    header.writeUInt32BE(MAX_WIRE_MESSAGE_BYTES + 1, 0);
    header[4] = 7; // "piece"
    greedy.write(header);
    for (let sent = 0; sent < 64 && !isClosed; sent++) {
      greedy.write(Buffer.alloc(64 * 1024));
      await sleep(20);
    }
    expect(isClosed).toBe(true);
    await sleep(200);
    expect(polite.destroyed).toBe(false);
  });
});
