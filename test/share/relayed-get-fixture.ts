/**
 * A share and a get of one random file in this process, the getter reaching the sharer only
 * through bench/delay-relay.mjs (a long link): for tests that watch a get's wire over real
 * latency. The caller runs `getter.run()` and may check the copy with `isIntact()`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDelayRelay } from '../../bench/delay-relay.mjs';
import { GetSession } from '../../src/share/get-session.js';
import { parseMagnetLink } from '../../src/share/magnet-link.js';
import { startShare } from '../../src/share/share-session.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeNode, onTeardown } from './share-node-fixture.js';

export interface RelayedGetOptions {
  fileBytes: number;
  oneWayDelayMs: number;
  rateBytesPerSecond?: number;
  isSuperSeeding: boolean;
  pieceLength?: number;
}

export async function relayedGet(options: RelayedGetOptions) {
  const { fileBytes, oneWayDelayMs, rateBytesPerSecond, ...shareOptions } = options;
  const dir = tempDir();
  const source = join(dir, 'long.bin');
  writeFileSync(source, randomBytes(fileBytes));
  const sharer = await makeNode();
  const relay = await startDelayRelay({ targetPort: sharer.port, oneWayDelayMs, rateBytesPerSecond });
  onTeardown(() => relay.close());
  // The magnet names only the relay: every byte between getter and sharer crosses it.
  const share = await startShare({
    node: sharer.node, router: sharer.router, ownKeyText: sharer.keyText, advertisedAddresses: [{ host: relay.host, port: relay.port }],
    listenPort: relay.port, path: source, isAllowed: () => true, ...shareOptions,
  });
  onTeardown(() => share.close());
  const getterNode = await makeNode();
  const out = join(dir, 'out');
  const getter = new GetSession({
    node: getterNode.node, router: getterNode.router, ownKeyText: getterNode.keyText, listenPort: getterNode.port,
    magnet: parseMagnetLink(share.magnet), extraPeers: [], outDir: out, stateDir: tempDir(), isForced: false, isAllowed: () => true,
  });
  onTeardown(() => getter.close());
  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
  return { getter, relay, outDir: out, isIntact: () => sha256(join(out, 'long.bin')) === sha256(source) };
}
