/**
 * The relay's small formats: magnet x.relay (built, parsed, refused when malformed), the
 * relay channel names (fit message 1's 64 bytes, parse back, reject look-alikes), the CALL
 * record reader (split across chunks, unknown type ends the link), and the error a direct
 * dial gets when no relay is known (the issue's sentence, still retried as CONNECT_FAILED).
 */
import { describe, expect, it } from 'vitest';
import { errors, isPermanentError } from '../../src/errors.js';
import { channelKind, relayBackChannel, relayRequestOf, relayToChannel, RELAY_REGISTER_CHANNEL } from '../../src/net/channel-name.js';
import { ByteRate } from '../../src/relay/byte-rate.js';
import { CallReader, encodeCall } from '../../src/relay/relay-call.js';
import { RelayDialer } from '../../src/relay/relay-dialer.js';
import { buildMagnetLink, parseMagnetLink } from '../../src/share/magnet-link.js';
import { makeIdentities } from '../helpers/test-identities.js';

const HASH = 'ab'.repeat(20);

describe('relay codecs', () => {
  it('magnet x.relay round-trips, repeats, and a malformed one is BAD_MAGNET', () => {
    const text = buildMagnetLink({ infoHash: HASH, peers: [{ host: '192.168.1.2', port: 7000 }], relays: [{ host: '203.0.113.5', port: 7000 }, { host: '::1', port: 9 }] });
    expect(text).toContain('x.relay=203.0.113.5%3A7000&x.relay=%5B%3A%3A1%5D%3A9');
    expect(parseMagnetLink(text).relays).toEqual([{ host: '203.0.113.5', port: 7000 }, { host: '::1', port: 9 }]);
    expect(parseMagnetLink(`magnet:?xt=urn:btih:${HASH}`).relays).toBeUndefined();
    expect(() => parseMagnetLink(`magnet:?xt=urn:btih:${HASH}&x.relay=nonsense`)).toThrow(/x\.relay "nonsense" is not host:port/);
  });

  it('relay channel names fit message 1 and parse back; look-alikes are not relay channels', () => {
    const [identity] = makeIdentities(1);
    const to = relayToChannel(identity!.publicKey);
    const back = relayBackChannel(Buffer.alloc(16, 0xab));
    for (const name of [RELAY_REGISTER_CHANNEL, to, back]) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(64);
      expect(channelKind(name)).toBe('relay');
    }
    const request = relayRequestOf(to);
    expect(request?.kind === 'to' && request.key.equals(Buffer.from(identity!.publicKey))).toBe(true);
    expect(relayRequestOf(back)).toEqual({ kind: 'back', token: 'ab'.repeat(16) });
    for (const bad of ['relay', 'relay to ', 'relay to abc', 'relay back ABAB', `relay back ${'ab'.repeat(15)}`, 'relay registerx']) expect(channelKind(bad)).toBeUndefined();
  });

  it('CALL records are read across chunk boundaries; another type ends the link', () => {
    const reader = new CallReader();
    const a = Buffer.alloc(16, 1);
    const b = Buffer.alloc(16, 2);
    const wire = Buffer.concat([encodeCall(a), encodeCall(b)]);
    expect(reader.push(wire.subarray(0, 5)).tokens).toEqual([]);
    expect(reader.push(wire.subarray(5, 20)).tokens).toEqual([a]);
    expect(reader.push(wire.subarray(20)).tokens).toEqual([b]);
    expect(new CallReader().push(Buffer.alloc(17, 9)).error).toMatch(/unknown relay record type 9/);
  });

  it('a failed direct dial with no relay known names the cause (not on loopback), and stays a retried network failure', async () => {
    const [alice] = makeIdentities(1);
    const node = {
      connect: (host: string, port: number) => Promise.reject(errors.connectFailed(host, port, 'EHOSTUNREACH')),
      connectOver: () => Promise.reject(new Error('unused')),
      pinnedKeyFor: () => undefined,
      handle: () => {},
      trustedKeys: () => [],
      listen: () => Promise.reject(new Error('unused')),
      close: () => Promise.resolve(),
    };
    const dialer = new RelayDialer(node, { relays: [], nameOf: () => 'alice' });
    const far = await dialer.connect('192.168.1.2', 7000, 'chat', { expectedKey: alice!.publicKey }).catch((e: unknown) => e);
    expect((far as Error).message).toBe('alice is behind a router that does not forward their port and offers no relay: ask them to run with --relay, or to forward port 7000');
    expect(far).toMatchObject({ code: 'CONNECT_FAILED', address: '192.168.1.2:7000' });
    expect(isPermanentError(far)).toBe(false);
    const near = await dialer.connect('127.0.0.1', 7000, 'chat', { expectedKey: alice!.publicKey }).catch((e: unknown) => e);
    expect((near as Error).message).toBe('could not connect to 127.0.0.1:7000 (EHOSTUNREACH)');
  });

  it('--max-rate: a burst of one second passes, then each byte waits its share of the rate', () => {
    const rate = new ByteRate(1_000_000, 0);
    expect(rate.take(1_000_000, 0)).toBe(0);
    expect(rate.take(500_000, 0)).toBe(500);
    expect(rate.take(0, 500)).toBe(0);
    expect(rate.take(250_000, 500)).toBe(250);
    // A slow rate still lets a 256 KiB burst through (one large frame and some).
    expect(new ByteRate(1000, 0).take(256 * 1024, 0)).toBe(0);
  });
});
