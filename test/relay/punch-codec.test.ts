/**
 * The direct upgrade's records (relay/punch-codec.ts): CONNECT, OBSERVED and SYNC parse
 * back whatever the chunking, an IPv4-mapped address is sent as plain IPv4, and anything
 * malformed is an error (the link is ended) rather than a guess.
 */
import { describe, expect, it } from 'vitest';
import { CONNECT_TYPE, encodeAddressRecord, OBSERVED_TYPE, PunchRecordReader, SYNC_TYPE } from '../../src/relay/punch-codec.js';

describe('punch records', () => {
  it('round-trip, byte by byte as well as whole', () => {
    const bytes = Buffer.concat([
      encodeAddressRecord(CONNECT_TYPE, { host: '203.0.113.10', port: 40001 }),
      Buffer.from([SYNC_TYPE]),
      encodeAddressRecord(OBSERVED_TYPE, { host: '2001:db8::1', port: 65535 }),
      encodeAddressRecord(OBSERVED_TYPE, { host: '::ffff:198.51.100.7', port: 1 }),
    ]);
    const expected = [
      { type: CONNECT_TYPE, address: { host: '203.0.113.10', port: 40001 } },
      { type: SYNC_TYPE },
      { type: OBSERVED_TYPE, address: { host: '2001:db8::1', port: 65535 } },
      { type: OBSERVED_TYPE, address: { host: '198.51.100.7', port: 1 } },
    ];
    expect(new PunchRecordReader().push(bytes)).toEqual({ records: expected });
    const reader = new PunchRecordReader();
    const records = [];
    for (const byte of bytes) {
      const result = reader.push(Buffer.from([byte]));
      expect(result.error).toBeUndefined();
      records.push(...result.records);
    }
    expect(records).toEqual(expected);
    // 1 type + 1 length + 12 characters + 2 port bytes.
    expect(encodeAddressRecord(CONNECT_TYPE, { host: '203.0.113.10', port: 40001 })).toHaveLength(16);
  });

  it('refuses what is not a record: an unknown type, a bad length, a host that is not an IP, port 0', () => {
    const port = (n: number) => Buffer.from([n >> 8, n & 0xff]);
    const cases: [Buffer, RegExp][] = [
      [Buffer.from([0x09]), /unknown record type 9/],
      [Buffer.from([CONNECT_TYPE, 1, 0x31]), /bad address length 1/],
      [Buffer.from([CONNECT_TYPE, 46]), /bad address length 46/],
      [Buffer.concat([Buffer.from([CONNECT_TYPE, 11]), Buffer.from('example.org'), port(80)]), /bad address/],
      [Buffer.concat([Buffer.from([OBSERVED_TYPE, 8]), Buffer.from('10.0.0.1'), port(0)]), /bad address/],
    ];
    for (const [bytes, error] of cases) expect(new PunchRecordReader().push(bytes).error, bytes.toString('hex')).toMatch(error);
    expect(() => encodeAddressRecord(CONNECT_TYPE, { host: 'example.org', port: 1 })).toThrow(/not an IP address/);
  });
});
