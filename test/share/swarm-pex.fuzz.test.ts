// Fuzz: 100,000 random and mutated swarm_pex payloads through decodePexMessage. It never
// throws; whatever it returns has the documented shape and bounds; valid messages
// round-trip through encodePexMessage.
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_ACCEPT_HASHES } from '../../src/share/pex-introductions.js';
import { decodePexMessage, encodePexMessage, MAX_PEX_PEERS, type PexMessage } from '../../src/share/swarm-pex.js';
import { mutate, randomBuffer, randomInt, seededRandom } from '../helpers/fuzz.js';

const CASES = 100_000;
const HEX = [...'0123456789abcdef'];
const BASE32 = [...'abcdefghijklmnopqrstuvwxyz234567'];

function validMessage(random: () => number): PexMessage {
  const pick = <T>(items: T[]): T => items[randomInt(random, items.length)]!;
  const peers = Array.from({ length: randomInt(random, 6) }, () => ({
    host: pick(['127.0.0.1', `10.${randomInt(random, 256)}.0.${randomInt(random, 256)}`, '::1', 'fe80::1', '::ffff:127.0.0.9']),
    port: 1 + randomInt(random, 65535),
    key: 'swarm1' + Array.from({ length: 58 }, () => pick(BASE32)).join(''),
  }));
  const accept = random() < 0.7 ? Array.from({ length: randomInt(random, 5) }, () => Array.from({ length: 16 }, () => pick(HEX)).join('')) : undefined;
  return { listen: random() < 0.5 ? null : 1 + randomInt(random, 65535), peers, ...(accept ? { accept } : {}) };
}

/** Structure-aware mutations: odd JSON values in each field. */
function oddJson(random: () => number): Buffer {
  const odd = [null, 0, -1, 1.5, 65536, '', 'x'.repeat(200), [], {}, true, '127.0.0.1', '\u001b[2J', { host: '1.2.3.4' }, 1e308, '__proto__'];
  const pick = () => odd[randomInt(random, odd.length)];
  // Now and then past the caps (64 peers, 256 hashes); mostly small, so 100,000 cases stay fast.
  const big = random() < 0.02;
  const message: Record<string, unknown> = { v: random() < 0.8 ? 1 : pick(), listen: pick(), peers: random() < 0.5 ? pick() : Array.from({ length: randomInt(random, big ? 100 : 8) }, () => ({ host: pick(), port: pick(), key: pick() })) };
  if (random() < 0.5) message.accept = random() < 0.5 ? pick() : Array.from({ length: randomInt(random, big ? 400 : 8) }, pick);
  if (random() < 0.1) message['__proto__'] = { peers: [] };
  return Buffer.from(JSON.stringify(message));
}

function checkShape(decoded: PexMessage, i: number): void {
  const ok =
    (decoded.listen === null || (Number.isInteger(decoded.listen) && decoded.listen > 0 && decoded.listen < 65536)) &&
    decoded.peers.length <= MAX_PEX_PEERS &&
    decoded.peers.every((p) => typeof p.host === 'string' && isIP(p.host) !== 0 && Number.isInteger(p.port) && p.port > 0 && p.port < 65536 && typeof p.key === 'string' && p.key.length < 128) &&
    (decoded.accept === undefined || (decoded.accept.length <= MAX_ACCEPT_HASHES && decoded.accept.every((h) => /^[0-9a-f]{16}$/.test(h))));
  if (!ok) throw new Error(`case ${i}: bad shape ${JSON.stringify(decoded).slice(0, 300)}`);
}

describe('swarm_pex decoder fuzz', () => {
  it(`${CASES} random, mutated and odd-JSON payloads: never throws, always bounded and well-formed`, () => {
    const random = seededRandom(0x9e7_c0de);
    const heapBefore = process.memoryUsage().heapUsed;
    let decodedCount = 0;
    for (let i = 0; i < CASES; i++) {
      const kind = randomInt(random, 4);
      let bytes: Buffer;
      if (kind === 0) bytes = randomBuffer(random, randomInt(random, 64));
      else if (kind === 1) bytes = mutate(random, Buffer.from(encodePexMessage(validMessage(random))));
      else if (kind === 2) bytes = oddJson(random);
      else {
        const message = validMessage(random);
        const decoded = decodePexMessage(encodePexMessage(message));
        if (JSON.stringify(decoded) !== JSON.stringify(message)) throw new Error(`case ${i}: round trip changed ${JSON.stringify(message)}`);
        continue;
      }
      const decoded = decodePexMessage(bytes);
      if (decoded) {
        checkShape(decoded, i);
        decodedCount++;
      }
    }
    expect(decodedCount).toBeGreaterThan(CASES / 10);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
