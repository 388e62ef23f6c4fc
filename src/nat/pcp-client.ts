/**
 * PCP MAP over UDP (RFC 6887): one request to the gateway's port 5351, resent with doubling
 * waits (capped as for NAT-PMP: a router silent for 2 s has no PCP). One nonce per mapping,
 * kept for its renewals and its delete (the server ties the mapping to it).
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from '../crypto/random.js';
import { NAT_PMP_PORT } from './nat-pmp-codec.js';
import { decodePcpMapResponse, encodePcpMapRequest, NONCE_BYTES, type PcpMapResponse } from './pcp-codec.js';

export interface PcpOptions {
  maxSends?: number;
  firstWaitMs?: number;
}

export class PcpTimeout extends Error {
  constructor() {
    super('PCP: no answer from the router');
  }
}

export function newPcpNonce(): Uint8Array {
  return randomBytes(NONCE_BYTES);
}

async function pcpRequest(gateway: string, request: Buffer, options: PcpOptions): Promise<PcpMapResponse> {
  const maxSends = options.maxSends ?? 3;
  let waitMs = options.firstWaitMs ?? 250;
  const socket = createSocket('udp4');
  try {
    return await new Promise<PcpMapResponse>((resolve, reject) => {
      let sends = 0;
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (sends++ >= maxSends) return reject(new PcpTimeout());
        socket.send(request, NAT_PMP_PORT, gateway, (error) => error && reject(error));
        timer = setTimeout(send, waitMs);
        waitMs *= 2;
      };
      socket.on('message', (datagram, from) => {
        if (from.address !== gateway || from.port !== NAT_PMP_PORT) return;
        try {
          const response = decodePcpMapResponse(request, datagram);
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
