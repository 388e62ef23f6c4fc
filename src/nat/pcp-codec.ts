/**
 * PCP MAP messages (RFC 6887), pure: the request as bytes, the response checked strictly.
 *
 * Wire (UDP to the gateway's port 5351, big-endian; addresses are 16 bytes, IPv4 as ::ffff:a.b.c.d):
 *   request  header [2 version][1 opcode MAP][u16 0][u32 lifetime s][client address]                24 bytes
 *   response header [2][0x81][0][u8 result][u32 lifetime s][u32 epoch s][12 bytes 0]                24 bytes
 *   MAP payload     [12 nonce][u8 protocol 6 = TCP][3 bytes 0][u16 internal][u16 external][external address]  36 bytes
 * A request's payload suggests the external port and address (all zeros: no preference); a
 * response's carries what was assigned. Lifetime 0 deletes the mapping with that nonce.
 */
export const PCP_VERSION = 2;
const OP_MAP = 1;
const RESPONSE_BIT = 0x80;
const PROTOCOL_TCP = 6;
export const PCP_MAP_BYTES = 60;
export const NONCE_BYTES = 12;

/** Result codes (RFC 6887 section 7.4) as words for a user line. */
const RESULT_TEXT: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized (port forwarding is turned off on the router)',
  3: 'malformed request',
  4: 'unsupported opcode',
  5: 'unsupported option',
  6: 'malformed option',
  7: 'network failure',
  8: 'no resources',
  9: 'unsupported protocol',
  10: 'user quota exceeded',
  11: 'cannot provide that external port or address',
  12: 'address mismatch (a NAT between us and the router)',
  13: 'excessive remote peers',
};

export class PcpRefusal extends Error {
  constructor(readonly resultCode: number) {
    super(`PCP: the router refused (${RESULT_TEXT[resultCode] ?? `result code ${resultCode}`})`);
  }
}

export interface PcpMapResponse {
  lifetimeS: number;
  epochS: number;
  internalPort: number;
  externalPort: number;
  externalAddress: string;
}

function ipv4Mapped(address: string): Buffer {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new RangeError(`not an IPv4 address: ${address}`);
  return Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...octets]);
}

function addressText(bytes: Buffer): string {
  const isMapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isMapped) return [...bytes.subarray(12, 16)].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

export function encodePcpMapRequest(options: { clientAddress: string; nonce: Uint8Array; internalPort: number; externalPort: number; lifetimeS: number }): Buffer {
  if (options.nonce.length !== NONCE_BYTES) throw new RangeError(`a PCP nonce is ${NONCE_BYTES} bytes`);
  const request = Buffer.alloc(PCP_MAP_BYTES);
  request[0] = PCP_VERSION;
  request[1] = OP_MAP;
  request.writeUInt32BE(options.lifetimeS, 4);
  ipv4Mapped(options.clientAddress).copy(request, 8);
  Buffer.from(options.nonce).copy(request, 24);
  request[36] = PROTOCOL_TCP;
  request.writeUInt16BE(options.internalPort, 40);
  request.writeUInt16BE(options.externalPort, 42);
  // No preferred external address: the IPv4 "all zeros" address, ::ffff:0.0.0.0.
  ipv4Mapped('0.0.0.0').copy(request, 44);
  return request;
}

/**
 * The response to `request`, or undefined for a datagram that is not one (another version,
 * opcode, nonce, protocol or internal port: ignored as a stray packet). A well-formed refusal
 * throws PcpRefusal; so does a NAT-PMP-only router's "unsupported version" (version 0).
 */
export function decodePcpMapResponse(request: Buffer, datagram: Buffer): PcpMapResponse | undefined {
  // A NAT-PMP-only router answers a version it does not speak with its own header: [0][0x81][u16 1].
  if (datagram.length >= 4 && datagram[0] === 0 && datagram[1] === (OP_MAP | RESPONSE_BIT) && datagram.readUInt16BE(2) === 1) throw new PcpRefusal(1);
  if (datagram.length < 4 || datagram[0] !== PCP_VERSION || datagram[1] !== (OP_MAP | RESPONSE_BIT)) return undefined;
  const result = datagram[3]!;
  // An error response may be cut short (RFC 6887 section 7.2); its nonce is checked when present.
  if (result !== 0) {
    if (datagram.length >= 36 && !datagram.subarray(24, 36).equals(request.subarray(24, 36))) return undefined;
    throw new PcpRefusal(result);
  }
  if (datagram.length !== PCP_MAP_BYTES) return undefined;
  if (!datagram.subarray(24, 36).equals(request.subarray(24, 36))) return undefined;
  if (datagram[36] !== PROTOCOL_TCP || datagram.readUInt16BE(40) !== request.readUInt16BE(40)) return undefined;
  return {
    lifetimeS: datagram.readUInt32BE(4),
    epochS: datagram.readUInt32BE(8),
    internalPort: datagram.readUInt16BE(40),
    externalPort: datagram.readUInt16BE(42),
    externalAddress: addressText(datagram.subarray(44, 60)),
  };
}
