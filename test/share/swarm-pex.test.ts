import { describe, expect, it } from 'vitest';
import { decodePexMessage, encodePexMessage, MAX_PEX_PEERS } from '../../src/share/swarm-pex.js';

const key = 'swarm1' + 'a'.repeat(58);
const encode = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));

describe('swarm_pex messages from peers', () => {
  it('round-trips IPv4 and IPv6 peers', () => {
    const message = { listen: 7927, peers: [{ host: '127.0.0.5', port: 7000, key }, { host: '::ffff:127.0.0.6', port: 7001, key }, { host: '::1', port: 7002, key }] };
    expect(decodePexMessage(encodePexMessage(message))).toEqual(message);
  });

  it('drops host names, terminal escapes and bad ports; caps the peer count; ignores oversized or malformed messages', () => {
    const decoded = decodePexMessage(
      encode({
        v: 1,
        listen: 70000,
        peers: [
          { host: 'evil.example', port: 1, key },
          { host: '\u001b[2J127.0.0.1', port: 2, key },
          { host: '127.0.0.1', port: 0, key },
          ...Array.from({ length: 100 }, (_, i) => ({ host: `127.0.1.${i}`, port: 1000 + i, key })),
        ],
      }),
    );
    expect(decoded!.listen).toBeNull();
    expect(decoded!.peers.every((peer) => /^127\.0\.1\.\d+$/.test(peer.host))).toBe(true);
    expect(decoded!.peers.length).toBeLessThanOrEqual(MAX_PEX_PEERS);
    expect(decodePexMessage(new Uint8Array(17 * 1024).fill(32))).toBeUndefined();
    expect(decodePexMessage(encode({ v: 2, peers: [] }))).toBeUndefined();
    expect(decodePexMessage(new Uint8Array(Buffer.from('{not json')))).toBeUndefined();
  });
});
