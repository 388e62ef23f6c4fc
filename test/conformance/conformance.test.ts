// An independent client, written from docs/protocol.md alone (nothing from src/), against
// the real built CLI: handshake, a signed chat message each way, a direct message, and one
// piece of a shared file fetched over the BitTorrent wire and checked against the infohash.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchFirstPiece } from './bittorrent-wire.js';
import { messageRecord, RecordReader, RECORD, directMessageBody, signedMessage } from './chat-wire.js';
import { clientHandshake } from './client-handshake.js';
import { openChannel, type Channel } from './client-connection.js';
import { newHome, swarm, SwarmProcess } from './swarm-cli.js';
import { edVerify, fingerprint, keyText, newIdentity, parseKeyText, type Identity } from './wire-crypto.js';

/** A CLI home that trusts `client` as "conformer", and the node's key read from `swarm id`. */
function cliTrusting(client: Identity): { home: string; key: Buffer } {
  const home = newHome();
  const id = JSON.parse(swarm(home, ['id', '--json'])) as { key: string; fingerprint: string };
  const key = parseKeyText(id.key);
  expect(fingerprint(key)).toBe(id.fingerprint);
  expect(keyText(key)).toBe(id.key);
  swarm(home, ['trust', 'add', keyText(client.publicKey), '--name', 'conformer']);
  return { home, key };
}

/** Reads chat records until one of `type` arrives (bounded by `maxFrames`). */
async function nextRecord(channel: Channel, reader: RecordReader, type: number, maxFrames = 100) {
  for (let frames = 0; frames < maxFrames; frames++) {
    const plaintext = await channel.receive();
    if (plaintext.length === 0) throw new Error('the node ended the link');
    const found = reader.push(plaintext).find((record) => record.type === type);
    if (found) return found;
  }
  throw new Error(`no record of type ${type}`);
}

describe('conformance: a client written from docs/protocol.md', () => {
  it('chats with swarm chat: handshake, signed messages both ways, a direct message', async () => {
    const me = newIdentity();
    const node = cliTrusting(me);
    const chat = new SwarmProcess(node.home, ['chat', '--host', '127.0.0.1', '--port', '0']);
    const { port } = (await chat.waitFor((e) => e.event === 'ready', 'ready')) as { port: number };
    const channel = await openChannel({ port, me, responderKey: node.key, channel: 'chat', handshake: clientHandshake });
    expect(channel.remoteKey.equals(node.key)).toBe(true);
    await chat.waitFor((e) => e.event === 'peer-join', 'peer-join');

    const seq = BigInt(Date.now()) * 1000n;
    channel.send(messageRecord(signedMessage(me, seq, Date.now(), 1, Buffer.from('hello from the spec'))));
    const shown = await chat.waitFor((e) => e.event === 'message' && e.text === 'hello from the spec', 'public message');
    expect(shown).toMatchObject({ from: keyText(me.publicKey), name: 'conformer' });
    expect(shown.direct).toBeUndefined();

    const dm = directMessageBody(me, node.key, 'only for you');
    channel.send(messageRecord(signedMessage(me, seq + 1n, Date.now(), 2, dm)));
    const direct = await chat.waitFor((e) => e.event === 'message' && e.text === 'only for you', 'direct message');
    expect(direct).toMatchObject({ direct: true, from: keyText(me.publicKey) });

    // The other way: the node's own message, checked by our reading of the signed format.
    const reader = new RecordReader();
    chat.send('hello from the node');
    const record = await nextRecord(channel, reader, RECORD.message);
    const signed = record.payload.subarray(1, record.payload.length - 64);
    expect(record.payload[0]).toBe(8); // hopsLeft of a fresh message
    expect(signed.subarray(0, 32).equals(node.key)).toBe(true);
    expect(signed.subarray(51).toString('utf8')).toBe('hello from the node');
    const label = Buffer.from('swarm-chat-v1\0', 'latin1');
    expect(edVerify(node.key, Buffer.concat([label, signed]), record.payload.subarray(-64))).toBe(true);
  });

  it('fetches and verifies one piece from swarm share over the BitTorrent wire', async () => {
    const me = newIdentity();
    const node = cliTrusting(me);
    const file = join(newHome(), 'data.bin');
    const content = randomBytes(300 * 1024 + 123); // five pieces of 64 KiB (the smallest piece size)
    writeFileSync(file, content);
    const share = new SwarmProcess(node.home, ['share', file, '--host', '127.0.0.1', '--port', '0']);
    const ready = (await share.waitFor((e) => e.event === 'ready', 'ready')) as { magnet: string };
    const magnet = new URLSearchParams(ready.magnet.slice('magnet:?'.length));
    const infoHash = Buffer.from(magnet.get('xt')!.replace('urn:btih:', ''), 'hex');
    const sharerKey = parseKeyText(magnet.get('x.key')!);
    expect(sharerKey.equals(node.key)).toBe(true);
    const port = Number(magnet.get('x.pe')!.split(':').pop());

    const channel = await openChannel({ port, me, responderKey: sharerKey, channel: `torrent ${infoHash.toString('hex')}`, handshake: clientHandshake });
    const { info, piece } = await fetchFirstPiece(channel, infoHash);
    expect(info.private).toBe(1);
    expect(info['piece length']).toBe(64 * 1024);
    expect(piece.equals(content.subarray(0, 64 * 1024))).toBe(true);
  });
});
