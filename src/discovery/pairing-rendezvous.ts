/**
 * Finding the other side of `swarm pair` on the local network from the code's number alone.
 * The waiting side beacons "pairing number N at TCP port P"; the joining side sends queries
 * for N and dials the first waiting side that answers. Both are ordinary LAN beacons
 * (beacon-codec.ts) with one real presence tag keyed by
 *
 *   rendezvous key = SHA-256("swarm pair rendezvous v1" || N as 2 bytes, big-endian)
 *
 * and direction byte 2 (waiting side) or 3 (joining side), so on the wire they look like any
 * node's beacon, and running nodes drop them unrecognised. The number is public by design
 * (pairing-code.ts): anyone who hears a beacon can find N by trying all 999, and learns only
 * that someone is pairing. The words never leave the machine: a wrong side that answers gets
 * one online guess in CPace (the attempt then fails on both sides), never an offline one.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { sha256 } from '../crypto/hash.js';
import { errors } from '../errors.js';
import { TokenBucket } from '../net/token-bucket.js';
import { decodeBeacon, encodeBeacon, hasTag, MAX_CLOCK_SKEW_S, presenceTag, type Beacon } from './beacon-codec.js';
import type { LanConfig } from './lan-config.js';
import { LanSockets, plainAddress } from './lan-sockets.js';

const RENDEZVOUS_LABEL = new TextEncoder().encode('swarm pair rendezvous v1');
const FROM_WAITING = Uint8Array.of(2);
const FROM_JOINING = Uint8Array.of(3);
/** The waiting side's beacon period; a joiner's query is answered at once. */
export const WAITING_BEACON_EVERY_MS = 2000;
const QUERY_EVERY_MS = 1000;
/** Datagrams looked at per second (each costs one HMAC); the rest are dropped unread. */
const RECEIVE_RATE_PER_S = 50;
const RECEIVE_BURST = 100;
const ANSWER_GAP_MS = 250;

export function rendezvousKey(codeNumber: number): Uint8Array {
  return sha256(RENDEZVOUS_LABEL, Uint8Array.of(codeNumber >> 8, codeNumber & 0xff));
}

function beaconFrom(side: Uint8Array, key: Uint8Array, port: number, isQuery: boolean): Buffer {
  return encodeBeacon({ isQuery, port, timeS: Math.floor(Date.now() / 1000), pairSecrets: [{ secret: key, direction: side }], shareKeys: [] });
}

function isFrom(side: Uint8Array, key: Uint8Array, beacon: Beacon): boolean {
  return Math.abs(beacon.timeS - Date.now() / 1000) <= MAX_CLOCK_SKEW_S && hasTag(beacon.presenceTags, presenceTag(key, side, beacon.header));
}

/** Reads datagrams at a bounded rate and passes on the beacons this side is listening for. */
function receiver(side: Uint8Array, key: Uint8Array, onBeacon: (beacon: Beacon, remote: RemoteInfo) => void): (message: Buffer, remote: RemoteInfo) => void {
  const bucket = new TokenBucket(RECEIVE_RATE_PER_S, RECEIVE_BURST, Date.now());
  return (message, remote) => {
    if (!bucket.take(Date.now())) return;
    const beacon = decodeBeacon(message);
    if (beacon && isFrom(side, key, beacon)) onBeacon(beacon, remote);
  };
}

/** The waiting side: beacons until closed (the code's life), answering queries for its number. */
export class PairingBeacon {
  /** Datagrams sent, for tests. */
  sentCount = 0;
  private sockets: LanSockets | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastAnswerMs = 0;
  private readonly key: Uint8Array;

  private constructor(codeNumber: number, private readonly tcpPort: number) {
    this.key = rendezvousKey(codeNumber);
  }

  static async start(config: LanConfig, listenHost: string | undefined, codeNumber: number, tcpPort: number): Promise<PairingBeacon> {
    const beacon = new PairingBeacon(codeNumber, tcpPort);
    beacon.sockets = await LanSockets.open(config, listenHost, receiver(FROM_JOINING, beacon.key, (query, remote) => query.isQuery && beacon.answer(remote)));
    beacon.announce();
    beacon.timer = setInterval(() => beacon.announce(), WAITING_BEACON_EVERY_MS);
    beacon.timer.unref();
    return beacon;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sockets?.close();
  }

  private announce(): void {
    for (const { socket, group, port } of this.sockets?.endpoints ?? []) this.send(socket, port, group);
  }

  private answer(remote: RemoteInfo): void {
    const nowMs = Date.now();
    if (nowMs - this.lastAnswerMs < ANSWER_GAP_MS) return;
    this.lastAnswerMs = nowMs;
    const endpoint = this.sockets?.endpointFor(remote);
    if (endpoint) this.send(endpoint.socket, remote.port, remote.address);
  }

  private send(socket: Socket, port: number, host: string): void {
    this.sentCount++;
    socket.send(beaconFrom(FROM_WAITING, this.key, this.tcpPort, false), port, host, () => undefined);
  }
}

/**
 * The joining side: asks once a second for the waiting side with this number and resolves
 * with the first one heard (its UDP source address and the TCP port it beacons); rejects
 * with PAIR_NOT_FOUND after `timeoutMs`, or on `signal`.
 */
export async function findWaitingSide(config: LanConfig, codeNumber: number, timeoutMs: number, signal?: AbortSignal): Promise<{ host: string; port: number }> {
  const key = rendezvousKey(codeNumber);
  let found: (address: { host: string; port: number }) => void = () => undefined;
  const heard = new Promise<{ host: string; port: number }>((resolve) => (found = resolve));
  const sockets = await LanSockets.open(config, undefined, receiver(FROM_WAITING, key, (beacon, remote) => found({ host: plainAddress(remote.address), port: beacon.port })));
  const query = () => {
    for (const { socket, group, port } of sockets.endpoints) socket.send(beaconFrom(FROM_JOINING, key, socket.address().port, true), port, group, () => undefined);
  };
  let timer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let onAbort = () => undefined as void;
  try {
    query();
    timer = setInterval(query, QUERY_EVERY_MS);
    return await Promise.race([
      heard,
      new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(errors.pairNotFound(codeNumber, timeoutMs, 'on this network')), timeoutMs);
        onAbort = () => reject(errors.pairInterrupted());
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearInterval(timer);
    clearTimeout(deadline);
    signal?.removeEventListener('abort', onAbort);
    await sockets.close();
  }
}
