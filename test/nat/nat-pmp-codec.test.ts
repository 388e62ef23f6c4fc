import { describe, expect, test } from 'vitest';
import { decodeNatPmpResponse, encodeExternalAddressRequest, encodeMapTcpRequest, NatPmpRefusal } from '../../src/nat/nat-pmp-codec.js';

const mapResponse = (fields: { op?: number; result?: number; internal?: number; external?: number; lifetime?: number; bytes?: number }) => {
  const b = Buffer.alloc(fields.bytes ?? 16);
  b[1] = fields.op ?? 130;
  b.writeUInt16BE(fields.result ?? 0, 2);
  b.writeUInt32BE(1234, 4);
  if (b.length >= 16) {
    b.writeUInt16BE(fields.internal ?? 7000, 8);
    b.writeUInt16BE(fields.external ?? 7001, 10);
    b.writeUInt32BE(fields.lifetime ?? 3600, 12);
  }
  return b;
};

describe('NAT-PMP codec (RFC 6886)', () => {
  test('requests have the RFC layout', () => {
    expect(encodeExternalAddressRequest()).toEqual(Buffer.from([0, 0]));
    expect(encodeMapTcpRequest(7000, 7001, 7200).toString('hex')).toBe('000200001b581b5900001c20');
  });

  test('an external address answer', () => {
    const answer = Buffer.from('0080000000004f820b0b0b0a', 'hex');
    expect(decodeNatPmpResponse(encodeExternalAddressRequest(), answer)).toEqual({ kind: 'external-address', epochS: 0x4f82, address: '11.11.11.10' });
  });

  test('a mapping answer for our internal port', () => {
    expect(decodeNatPmpResponse(encodeMapTcpRequest(7000, 7000, 60), mapResponse({}))).toEqual({ kind: 'map-tcp', epochS: 1234, internalPort: 7000, externalPort: 7001, lifetimeS: 3600 });
  });

  test('stray datagrams are not answers: wrong version, op, length, or another internal port', () => {
    const request = encodeMapTcpRequest(7000, 7000, 60);
    const wrongVersion = mapResponse({});
    wrongVersion[0] = 1;
    for (const datagram of [wrongVersion, mapResponse({ op: 129 }), mapResponse({ op: 2 }), mapResponse({ bytes: 12 }), mapResponse({ bytes: 20 }), mapResponse({ internal: 7001 }), Buffer.alloc(0), Buffer.from([0])]) {
      expect(decodeNatPmpResponse(request, datagram)).toBeUndefined();
    }
    expect(decodeNatPmpResponse(encodeExternalAddressRequest(), Buffer.from('0080000000004f820b0b0b', 'hex'))).toBeUndefined();
  });

  test('a refusal names its cause', () => {
    const request = encodeMapTcpRequest(7000, 7000, 60);
    expect(() => decodeNatPmpResponse(request, mapResponse({ result: 2 }))).toThrow(NatPmpRefusal);
    expect(() => decodeNatPmpResponse(request, mapResponse({ result: 2 }))).toThrow(/not authorized/);
    expect(() => decodeNatPmpResponse(request, mapResponse({ result: 99, bytes: 8 }))).toThrow(/result code 99/);
  });
});
