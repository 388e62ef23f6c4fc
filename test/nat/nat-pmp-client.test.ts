/**
 * The NAT-PMP client against hand-written routers on loopback (a 127.0.0.x "gateway"):
 * silence is bounded, answers from the wrong port are ignored, and a "mapping" without a
 * port is not taken for one.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, test } from 'vitest';
import { natPmpExternalAddress, natPmpMapTcp, NatPmpTimeout } from '../../src/nat/nat-pmp-client.js';

const GATEWAY = `127.0.${40 + (process.pid % 200)}.${1 + (process.pid % 250)}`;
const sockets: Socket[] = [];

/** A fake router on GATEWAY:5351 answering each request with `answer(request)` from `fromPort`'s socket. */
async function fakeRouter(answer: (request: Buffer) => Buffer | undefined, fromOtherPort = false): Promise<{ requests: Buffer[] }> {
  const requests: Buffer[] = [];
  const server = createSocket('udp4');
  const other = createSocket('udp4');
  sockets.push(server, other);
  await new Promise<void>((resolve) => server.bind(5351, GATEWAY, resolve));
  await new Promise<void>((resolve) => other.bind(0, GATEWAY, resolve));
  server.on('message', (request, from) => {
    requests.push(request);
    const reply = answer(request);
    if (reply) (fromOtherPort ? other : server).send(reply, from.port, from.address);
  });
  return { requests };
}

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

const externalAnswer = () => Buffer.from('0080000000000001' + '0b0b0b0a', 'hex');
const mapAnswer = (request: Buffer, externalPort: number, lifetimeS: number) => {
  const reply = Buffer.alloc(16);
  reply[1] = 130;
  request.copy(reply, 8, 4, 6);
  reply.writeUInt16BE(externalPort, 10);
  reply.writeUInt32BE(lifetimeS, 12);
  return reply;
};

describe('NAT-PMP client', () => {
  test('reads the external address and a granted mapping', async () => {
    await fakeRouter((request) => (request[1] === 0 ? externalAnswer() : mapAnswer(request, 40000, 120)));
    expect(await natPmpExternalAddress(GATEWAY)).toBe('11.11.11.10');
    expect(await natPmpMapTcp(GATEWAY, 7000, 7000, 120)).toEqual({ externalPort: 40000, lifetimeS: 120 });
  });

  test('a silent router: exactly maxSends requests, then NatPmpTimeout', async () => {
    const router = await fakeRouter(() => undefined);
    await expect(natPmpExternalAddress(GATEWAY, { maxSends: 3, firstWaitMs: 50 })).rejects.toBeInstanceOf(NatPmpTimeout);
    expect(router.requests.length).toBe(3);
  });

  test('answers from another port than 5351 are ignored', async () => {
    await fakeRouter(() => externalAnswer(), true);
    await expect(natPmpExternalAddress(GATEWAY, { maxSends: 2, firstWaitMs: 50 })).rejects.toBeInstanceOf(NatPmpTimeout);
  });

  test('a "granted" mapping with port 0 or lifetime 0 is refused, not trusted', async () => {
    await fakeRouter((request) => mapAnswer(request, 0, 120));
    await expect(natPmpMapTcp(GATEWAY, 7000, 7000, 120, { maxSends: 1 })).rejects.toThrow(/without a port/);
    sockets.splice(0).forEach((socket) => socket.close());
    await fakeRouter((request) => mapAnswer(request, 7000, 0));
    await expect(natPmpMapTcp(GATEWAY, 7000, 7000, 120, { maxSends: 1 })).rejects.toThrow(/without a port/);
  });

  test('a refusal says why', async () => {
    await fakeRouter((request) => {
      const reply = mapAnswer(request, 0, 0);
      reply.writeUInt16BE(2, 2);
      return reply;
    });
    await expect(natPmpMapTcp(GATEWAY, 7000, 7000, 120, { maxSends: 1 })).rejects.toThrow(/not authorized/);
  });
});
