/**
 * NAT-PMP messages (RFC 6886), pure: requests as bytes, responses checked strictly.
 *
 * Wire (UDP to the gateway's port 5351, big-endian):
 *   external address request  [0 version][0 op]
 *   external address response [0][128][u16 result][u32 epoch s][4 bytes IPv4]          12 bytes
 *   map TCP request           [0][2][u16 0][u16 internal][u16 suggested external][u32 lifetime s]
 *   map TCP response          [0][130][u16 result][u32 epoch][u16 internal][u16 external][u32 lifetime]  16 bytes
 * A lifetime of 0 with external port 0 deletes the mapping of that internal port.
 */
export const NAT_PMP_PORT = 5351;
const OP_EXTERNAL_ADDRESS = 0;
const OP_MAP_TCP = 2;
const RESPONSE_BIT = 128;

/** Result codes (RFC 6886 section 3.5) as the words a user line can carry. */
const RESULT_TEXT: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized (port forwarding is turned off on the router)',
  3: 'network failure (the router has no external address)',
  4: 'out of resources',
  5: 'unsupported opcode',
};

export type NatPmpResponse =
  | { kind: 'external-address'; epochS: number; address: string }
  | { kind: 'map-tcp'; epochS: number; internalPort: number; externalPort: number; lifetimeS: number };

export class NatPmpRefusal extends Error {
  constructor(readonly resultCode: number) {
    super(`NAT-PMP: the router refused (${RESULT_TEXT[resultCode] ?? `result code ${resultCode}`})`);
  }
}

export function encodeExternalAddressRequest(): Buffer {
  return Buffer.from([0, OP_EXTERNAL_ADDRESS]);
}

export function encodeMapTcpRequest(internalPort: number, externalPort: number, lifetimeS: number): Buffer {
  const request = Buffer.alloc(12);
  request[1] = OP_MAP_TCP;
  request.writeUInt16BE(internalPort, 4);
  request.writeUInt16BE(externalPort, 6);
  request.writeUInt32BE(lifetimeS, 8);
  return request;
}

/**
 * The response to `request`, or undefined for a datagram that is not one (wrong version,
 * op or length: ignored, as a stray packet). A well-formed refusal throws NatPmpRefusal.
 */
export function decodeNatPmpResponse(request: Buffer, datagram: Buffer): NatPmpResponse | undefined {
  const op = request[1]!;
  const expectedBytes = op === OP_EXTERNAL_ADDRESS ? 12 : 16;
  if (datagram.length < 4 || datagram[0] !== 0 || datagram[1] !== (op | RESPONSE_BIT)) return undefined;
  const result = datagram.readUInt16BE(2);
  if (result !== 0) throw new NatPmpRefusal(result);
  if (datagram.length !== expectedBytes) return undefined;
  const epochS = datagram.readUInt32BE(4);
  if (op === OP_EXTERNAL_ADDRESS) {
    return { kind: 'external-address', epochS, address: [...datagram.subarray(8, 12)].join('.') };
  }
  const internalPort = datagram.readUInt16BE(8);
  // A reply for another of our mappings is not this one's answer.
  if (internalPort !== request.readUInt16BE(4)) return undefined;
  return { kind: 'map-tcp', epochS, internalPort, externalPort: datagram.readUInt16BE(10), lifetimeS: datagram.readUInt32BE(12) };
}
