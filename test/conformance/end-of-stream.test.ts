// docs/protocol.md section 4, the end of a link, checked on the wire against the built CLI:
// an orderly close is an end frame (empty plaintext) in each direction, then TCP FIN; a
// REFUSE is final by itself. A TCP close without an end frame therefore always means a cut.
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
