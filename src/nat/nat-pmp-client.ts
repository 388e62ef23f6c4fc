/**
 * NAT-PMP over UDP (RFC 6886): requests to the gateway through gateway-request.ts.
 */
import { gatewayRequest, type GatewayRequestOptions } from './gateway-request.js';
import {
  decodeNatPmpResponse,
  encodeExternalAddressRequest,
  encodeMapTcpRequest,
  type NatPmpResponse,
} from './nat-pmp-codec.js';

export type NatPmpOptions = GatewayRequestOptions;

export class NatPmpTimeout extends Error {
  constructor() {
    super('NAT-PMP: no answer from the router');
  }
}

export function natPmpRequest(gateway: string, request: Buffer, options: NatPmpOptions = {}): Promise<NatPmpResponse> {
  return gatewayRequest(gateway, request, (datagram) => decodeNatPmpResponse(request, datagram), () => new NatPmpTimeout(), options);
}

export async function natPmpExternalAddress(gateway: string, options?: NatPmpOptions): Promise<string> {
  const response = await natPmpRequest(gateway, encodeExternalAddressRequest(), options);
  if (response.kind !== 'external-address') throw new Error('NAT-PMP: unexpected answer');
  return response.address;
}

export async function natPmpMapTcp(gateway: string, internalPort: number, externalPort: number, lifetimeS: number, options?: NatPmpOptions): Promise<{ externalPort: number; lifetimeS: number }> {
  const response = await natPmpRequest(gateway, encodeMapTcpRequest(internalPort, externalPort, lifetimeS), options);
  if (response.kind !== 'map-tcp') throw new Error('NAT-PMP: unexpected answer');
  // A "mapping" to port 0 or for 0 s forwards nothing.
  if (lifetimeS > 0 && (response.externalPort === 0 || response.lifetimeS === 0)) throw new Error('NAT-PMP: the router answered without a port');
  return { externalPort: response.externalPort, lifetimeS: response.lifetimeS };
}

export async function natPmpUnmapTcp(gateway: string, internalPort: number, options?: NatPmpOptions): Promise<void> {
  await natPmpRequest(gateway, encodeMapTcpRequest(internalPort, 0, 0), options);
}
