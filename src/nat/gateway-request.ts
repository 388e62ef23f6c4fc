/**
 * One UDP request to the gateway's port 5351 (NAT-PMP and PCP share it), resent with
 * doubling waits (RFC 6886 section 3.1 / RFC 6887 section 8.1.1, but capped far below their
 * minute: a router silent for 2 s has no such service). Only datagrams from that port of
 * the gateway are read; `decode` returns undefined for one that is not our answer.
 */
import { createSocket } from 'node:dgram';
import { NAT_PMP_PORT } from './nat-pmp-codec.js';

export interface GatewayRequestOptions {
  /** Sends of one request (waits 250 ms, 500 ms, 1 s, …). */
  maxSends?: number;
  firstWaitMs?: number;
}

/** NAT-PMP's port, which PCP took over (RFC 6887 section 19.1). */
const GATEWAY_SERVICE_PORT = NAT_PMP_PORT;

export async function gatewayRequest<T>(
  gateway: string,
  request: Buffer,
  decode: (datagram: Buffer) => T | undefined,
  noAnswer: () => Error,
  options: GatewayRequestOptions = {},
): Promise<T> {
  const maxSends = options.maxSends ?? 3;
  let waitMs = options.firstWaitMs ?? 250;
  const socket = createSocket('udp4');
  try {
    return await new Promise<T>((resolve, reject) => {
      let sends = 0;
      let timer: NodeJS.Timeout | undefined;
      // A failed send (ENETUNREACH …) ends the request: no resend on a socket closed by then.
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      const send = () => {
        if (sends++ >= maxSends) return reject(noAnswer());
        socket.send(request, GATEWAY_SERVICE_PORT, gateway, (error) => error && fail(error));
        timer = setTimeout(send, waitMs);
        waitMs *= 2;
      };
      socket.on('message', (datagram, from) => {
        if (from.address !== gateway || from.port !== GATEWAY_SERVICE_PORT) return;
        try {
          const response = decode(datagram);
          if (response === undefined) return;
          clearTimeout(timer);
          resolve(response);
        } catch (error) {
          fail(error as Error);
        }
      });
      socket.once('error', fail);
      socket.bind(0, send);
    });
  } finally {
    socket.close();
  }
}
