/**
 * NAT-PMP over UDP: one request to the gateway, resent with doubling waits (RFC 6886
 * section 3.1, but capped far below its 64 s: a router that is silent for 2 s has no
 * NAT-PMP). Only datagrams from the gateway's port 5351 are read.
 */
import { createSocket } from 'node:dgram';
import {
  NAT_PMP_PORT,
  decodeNatPmpResponse,
  encodeExternalAddressRequest,
  encodeMapTcpRequest,
  type NatPmpResponse,
} from './nat-pmp-codec.js';

export interface NatPmpOptions {
  /** Sends of one request (waits 250 ms, 500 ms, 1 s, …). */
  maxSends?: number;
  firstWaitMs?: number;
}

export class NatPmpTimeout extends Error {
  constructor() {
    super('NAT-PMP: no answer from the router');
  }
}

export async function natPmpRequest(gateway: string, request: Buffer, options: NatPmpOptions = {}): Promise<NatPmpResponse> {
  const maxSends = options.maxSends ?? 3;
  let waitMs = options.firstWaitMs ?? 250;
  const socket = createSocket('udp4');
  try {
    return await new Promise<NatPmpResponse>((resolve, reject) => {
      let sends = 0;
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (sends++ >= maxSends) return reject(new NatPmpTimeout());
        socket.send(request, NAT_PMP_PORT, gateway, (error) => error && reject(error));
        timer = setTimeout(send, waitMs);
        waitMs *= 2;
      };
      socket.on('message', (datagram, from) => {
        if (from.address !== gateway || from.port !== NAT_PMP_PORT) return;
        try {
          const response = decodeNatPmpResponse(request, datagram);
          if (!response) return;
          clearTimeout(timer);
          resolve(response);
        } catch (error) {
          clearTimeout(timer);
          reject(error);
        }
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.bind(0, send);
    });
  } finally {
    socket.close();
  }
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
