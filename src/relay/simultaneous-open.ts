/**
 * Both ends of a direct upgrade dial each other from a fixed local port at the same moment
 * (TCP simultaneous open): each SYN opens its own router's conntrack entry for the other's.
 * A router that answers an unsolicited SYN with a RST kills the attempt when the SYNs do
 * not cross in flight, so each end retries (with jitter, so the two loops do not stay in
 * step) a bounded number of times within a bounded window. A router that drops it leaves
 * the SYN pending: the kernel's own retransmission (1 s) then gets through.
 */
import { connect, createServer, isIP, type Socket } from 'node:net';
import type { PeerAddress } from '../net/peer-address.js';

export interface SimultaneousOpenLimits {
  /** Dials in all (each one SYN, retransmitted by the kernel while it waits). */
  maxAttempts: number;
  /** From the first SYN to giving up. */
  windowMs: number;
  /** Longest pause between two dials (random, from 0). */
  maxJitterMs: number;
}

export const DEFAULT_OPEN_LIMITS: SimultaneousOpenLimits = { maxAttempts: 400, windowMs: 5000, maxJitterMs: 3 };

/** A local port free now, for the candidate address we send before dialling from it. */
export function freeLocalPort(family: 4 | 6): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, family === 6 ? '::' : '0.0.0.0', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface OpenResult {
  socket?: Socket;
  attempts: number;
  /** The last dial's error, when none connected. */
  lastError?: string;
}

/** Dials `peer` from `localPort` until one dial connects, the attempts are spent or the window ends. */
export function simultaneousOpen(peer: PeerAddress, localPort: number, limits: SimultaneousOpenLimits = DEFAULT_OPEN_LIMITS, isCancelled: () => boolean = () => false): Promise<OpenResult> {
  const deadlineMs = performance.now() + limits.windowMs;
  const localAddress = isIP(peer.host) === 6 ? '::' : '0.0.0.0';
  return new Promise((resolve) => {
    let attempts = 0;
    let lastError: string | undefined;
    const dial = () => {
      const leftMs = deadlineMs - performance.now();
      if (attempts >= limits.maxAttempts || leftMs <= 0 || isCancelled()) return resolve({ attempts, lastError: lastError ?? 'cancelled' });
      attempts += 1;
      const socket = connect({ host: peer.host, port: peer.port, localPort, localAddress, noDelay: true });
      const timer = setTimeout(() => {
        lastError = `no answer within ${Math.round(limits.windowMs)} ms`;
        socket.destroy();
        resolve({ attempts, lastError });
      }, leftMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve({ socket, attempts });
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        lastError = error.code ?? error.message;
        socket.destroy();
        setTimeout(dial, Math.random() * limits.maxJitterMs);
      });
    };
    dial();
  });
}
