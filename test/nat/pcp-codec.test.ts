/**
 * PCP MAP messages (RFC 6887) against the RFC's layout: the request's fields at their
 * offsets, a success decoded, and everything that is not this request's answer (another
 * nonce, internal port, protocol, length) ignored; refusals, including a NAT-PMP-only
 * router's "unsupported version", throw with the router's reason.
 */
import { describe, expect, it } from 'vitest';
import { decodePcpMapResponse, encodePcpMapRequest, PCP_MAP_BYTES, PcpRefusal } from '../../src/nat/pcp-codec.js';

const nonce = Buffer.from('0102030405060708090a0b0c', 'hex');
const request = encodePcpMapRequest({ clientAddress: '192.168.1.2', nonce, internalPort: 7411, externalPort: 7411, lifetimeS: 7200 });

function response(overrides: { result?: number; nonce?: Buffer; internalPort?: number; protocol?: number; length?: number } = {}): Buffer {
  const bytes = Buffer.alloc(PCP_MAP_BYTES);
  bytes[0] = 2;
  bytes[1] = 0x81;
  bytes[3] = overrides.result ?? 0;
  bytes.writeUInt32BE(7000, 4);
  bytes.writeUInt32BE(42, 8);
  (overrides.nonce ?? nonce).copy(bytes, 24);
  bytes[36] = overrides.protocol ?? 6;
  bytes.writeUInt16BE(overrides.internalPort ?? 7411, 40);
  bytes.writeUInt16BE(40000, 42);
  Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 11, 11, 11, 10]).copy(bytes, 44);
  return bytes.subarray(0, overrides.length ?? PCP_MAP_BYTES);
}

describe('PCP MAP codec', () => {
  it('lays the request out as RFC 6887 says', () => {
    expect(request.length).toBe(60);
    expect([...request.subarray(0, 4)]).toEqual([2, 1, 0, 0]);
    expect(request.readUInt32BE(4)).toBe(7200);
    expect(request.subarray(8, 24).toString('hex')).toBe('00000000000000000000ffffc0a80102');
    expect(request.subarray(24, 36).equals(nonce)).toBe(true);
    expect(request[36]).toBe(6);
    expect(request.readUInt16BE(40)).toBe(7411);
    expect(request.readUInt16BE(42)).toBe(7411);
    expect(request.subarray(44, 60).toString('hex')).toBe('00000000000000000000ffff00000000');
    expect(() => encodePcpMapRequest({ clientAddress: 'fe80::1', nonce, internalPort: 1, externalPort: 1, lifetimeS: 1 })).toThrow(/IPv4/);
  });

  it('decodes the assigned port, address and lifetime', () => {
    expect(decodePcpMapResponse(request, response())).toEqual({ lifetimeS: 7000, epochS: 42, internalPort: 7411, externalPort: 40000, externalAddress: '11.11.11.10' });
  });

  it('ignores what is not the answer to this request', () => {
    expect(decodePcpMapResponse(request, response({ nonce: Buffer.alloc(12, 9) }))).toBeUndefined();
    expect(decodePcpMapResponse(request, response({ internalPort: 7412 }))).toBeUndefined();
    expect(decodePcpMapResponse(request, response({ protocol: 17 }))).toBeUndefined();
    expect(decodePcpMapResponse(request, response({ length: 59 }))).toBeUndefined();
    expect(decodePcpMapResponse(request, Buffer.from([2, 0x82, 0, 0]))).toBeUndefined();
  });

  it('throws the router\'s refusal, also a NAT-PMP-only router\'s unsupported version', () => {
    expect(() => decodePcpMapResponse(request, response({ result: 2 }))).toThrow(PcpRefusal);
    expect(() => decodePcpMapResponse(request, response({ result: 2 }))).toThrow(/not authorized/);
    expect(() => decodePcpMapResponse(request, response({ result: 12, length: 24 }))).toThrow(/address mismatch/);
    expect(() => decodePcpMapResponse(request, Buffer.from([0, 0x81, 0, 1, 0, 0, 0, 0]))).toThrow(/unsupported version/);
  });
});
