// docs/protocol.md section 4, the end of a link, checked on the wire against the built CLI:
// an orderly close is an end frame (empty plaintext) in each direction, then TCP FIN; a
// REFUSE is final by itself. A TCP close without an end frame therefore always means a cut.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientHandshake } from './client-handshake.js';
import { openChannel, sendOpen, type Channel } from './client-connection.js';
import { newHome, swarm, SwarmProcess } from './swarm-cli.js';
import { keyText, newIdentity, parseKeyText, type Identity } from './wire-crypto.js';

async function chatNode(client: Identity): Promise<{ chat: SwarmProcess; port: number; key: Buffer }> {
  const home = newHome();
  const key = parseKeyText((JSON.parse(swarm(home, ['id', '--json'])) as { key: string }).key);
  swarm(home, ['trust', 'add', keyText(client.publicKey), '--name', 'conformer']);
  const chat = new SwarmProcess(home, ['chat', '--host', '127.0.0.1', '--port', '0']);
  const { port } = (await chat.waitFor((e) => e.event === 'ready', 'ready')) as { port: number };
  return { chat, port, key };
}

/** Reads frames (bounded) until the node's end frame; fails if TCP closes first. Then waits for FIN. */
async function expectEndFrameThenFin(channel: Channel): Promise<void> {
  for (let frames = 0; frames < 1000; frames++) {
    let plaintext: Buffer;
    try {
      plaintext = await channel.receive();
    } catch (error) {
      throw new Error(`TCP closed without an end frame (${(error as Error).message})`);
    }
    if (plaintext.length === 0) break;
  }
  await channel.wire.ended;
  expect(channel.wire.isDrained).toBe(true); // nothing after the end frame
}

describe('end of a link (docs/protocol.md section 4)', () => {
  it('a node answers our end frame with its own, then closes TCP', async () => {
    const me = newIdentity();
    const node = await chatNode(me);
    const channel = await openChannel({ port: node.port, me, responderKey: node.key, channel: 'chat', handshake: clientHandshake });
    await node.chat.waitFor((e) => e.event === 'peer-join', 'peer-join');
    channel.sendEnd();
    await expectEndFrameThenFin(channel);
    await node.chat.waitFor((e) => e.event === 'peer-leave', 'peer-leave');
  });

  it('/quit closes every link with an end frame before FIN', async () => {
    const me = newIdentity();
    const node = await chatNode(me);
    const channel = await openChannel({ port: node.port, me, responderKey: node.key, channel: 'chat', handshake: clientHandshake });
    await node.chat.waitFor((e) => e.event === 'peer-join', 'peer-join');
    node.chat.send('/quit');
    await expectEndFrameThenFin(channel);
    expect(await node.chat.exited).toBe(0);
  });

  it('a sharer stopped with SIGINT ends its BitTorrent links with an end frame', async () => {
    const me = newIdentity();
    const home = newHome();
    swarm(home, ['trust', 'add', keyText(me.publicKey), '--name', 'conformer']);
    const file = join(newHome(), 'small.bin');
    writeFileSync(file, randomBytes(1000));
    const share = new SwarmProcess(home, ['share', file, '--host', '127.0.0.1', '--port', '0']);
    const magnet = new URLSearchParams(((await share.waitFor((e) => e.event === 'ready', 'ready')) as { magnet: string }).magnet.slice('magnet:?'.length));
    const infoHash = magnet.get('xt')!.replace('urn:btih:', '');
    const key = parseKeyText(magnet.get('x.key')!);
    const channel = await openChannel({ port: Number(magnet.get('x.pe')!.split(':').pop()), me, responderKey: key, channel: `torrent ${infoHash}`, handshake: clientHandshake });
    await share.waitFor((e) => e.event === 'peer-connected', 'peer-connected');
    share.child.kill('SIGINT');
    await expectEndFrameThenFin(channel);
    expect(await share.exited).toBe(130); // 128 + SIGINT, as shells report it
  });

  it('REFUSE is the last frame: no end frame follows it, and TCP closes', async () => {
    const me = newIdentity();
    const node = await chatNode(me);
    const { channel, answer } = await sendOpen({ port: node.port, me, responderKey: node.key, channel: `torrent ${'00'.repeat(20)}`, handshake: clientHandshake });
    expect(answer[0]).toBe(0x03);
    expect(answer.subarray(1).toString('utf8')).toMatch(/\S/); // a reason
    await channel.wire.ended;
    expect(channel.wire.isDrained).toBe(true);
  });
});
