/**
 * PCP MAP over UDP (RFC 6887): requests to the gateway's port 5351 through gateway-request.ts.
 * One nonce per mapping, kept for its renewals and its delete (the server ties the mapping to it).
 */
import { randomBytes } from '../crypto/random.js';
import { gatewayRequest, type GatewayRequestOptions } from './gateway-request.js';
import { decodePcpMapResponse, encodePcpMapRequest, NONCE_BYTES, type PcpMapResponse } from './pcp-codec.js';

export type PcpOptions = GatewayRequestOptions;

export class PcpTimeout extends Error {
  constructor() {
    super('PCP: no answer from the router');
  }
}

export function newPcpNonce(): Uint8Array {
  return randomBytes(NONCE_BYTES);
}

function pcpRequest(gateway: string, request: Buffer, options: PcpOptions): Promise<PcpMapResponse> {
  return gatewayRequest(gateway, request, (datagram) => decodePcpMapResponse(request, datagram), () => new PcpTimeout(), options);
}

/** Maps (or renews, with the same nonce) TCP `internalPort`; the router's external address comes with the answer. */
export async function pcpMapTcp(
  gateway: { address: string; localAddress: string },
  nonce: Uint8Array,
  internalPort: number,
  externalPort: number,
  lifetimeS: number,
  options: PcpOptions = {},
): Promise<{ externalHost: string; externalPort: number; lifetimeS: number }> {
  const request = encodePcpMapRequest({ clientAddress: gateway.localAddress, nonce, internalPort, externalPort, lifetimeS });
  const response = await pcpRequest(gateway.address, request, options);
  if (lifetimeS > 0 && (response.externalPort === 0 || response.lifetimeS === 0)) throw new Error('PCP: the router answered without a port');
  return { externalHost: response.externalAddress, externalPort: response.externalPort, lifetimeS: response.lifetimeS };
}

export async function pcpUnmapTcp(gateway: { address: string; localAddress: string }, nonce: Uint8Array, internalPort: number, options: PcpOptions = {}): Promise<void> {
  await pcpRequest(gateway.address, encodePcpMapRequest({ clientAddress: gateway.localAddress, nonce, internalPort, externalPort: 0, lifetimeS: 0 }), options);
}
