/**
 * One message from a trusted peer must not kill a sharer: bencode 4.0.1 looped forever on
 * a negative string length ("l-3:aee"), growing the heap until the process died. A hostile
 * peer (real SwarmNode, real secure link) sends such an extended handshake to a real
 * `swarm share`; the sharer drops it and keeps serving an honest getter. The sharer's heap
 * is capped so the old behaviour fails fast instead of eating the machine's memory.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeKeyText } from '../../src/identity/key-text.js';
import { loadOrCreateIdentity } from '../../src/identity/identity.js';
import { TrustStore } from '../../src/identity/trust-store.js';
import { SwarmNode } from '../../src/net/swarm-node.js';
import { torrentChannel } from '../../src/net/channel-name.js';
import { cliEnv } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, startGetter } from '../share/cli-peers.js';

function message(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length + 1, 0);
  header[4] = id;
  return Buffer.concat([header, payload]);
}

describe('a trusted peer sending malformed bencode', () => {
  it('a negative string length in an extended handshake does not take the sharer down', async () => {
    const [alice, mallory, bob] = makeUsers(['alice', 'mallory', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'notes.bin');
    writeFileSync(source, randomBytes(400_000));
    const sharer = new CliProcess(['share', source, '--host', '127.0.0.1', '--port', '0', '--json'], {
      home: alice!.home,
      env: cliEnv(alice!.home, { NODE_OPTIONS: '--max-old-space-size=256' }),
    });
    const ready = await sharer.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready');
    const infoHash = String(ready.infoHash);

    const node = new SwarmNode({ identity: loadOrCreateIdentity(mallory!.home), trust: TrustStore.load(mallory!.home), host: '127.0.0.1', port: 0 });
    try {
      const link = await node.connect('127.0.0.1', Number(ready.port), torrentChannel(infoHash), { expectedKey: decodeKeyText(alice!.key) });
      const reserved = Buffer.alloc(8);
      reserved[5] = 0x10; // BEP 10 extensions
      link.stream.write(Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), reserved, Buffer.from(infoHash, 'hex'), randomBytes(20)]));
      link.stream.write(message(20, Buffer.concat([Buffer.from([0]), Buffer.from('d1:ml-3:aeee')])));

      const getter = startGetter(bob!, String(ready.magnet), join(dir, 'bob'));
      expect(await getter.exited).toBe(0);
      expect(sameFile(source, join(dir, 'bob', 'notes.bin'))).toBe(true);
      expect(sharer.hasExited).toBe(false);
    } finally {
      await node.close();
    }
  }, 60_000);
});
