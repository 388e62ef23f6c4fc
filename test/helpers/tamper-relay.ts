/**
 * A man in the middle between two duplexes (in-memory or TCP sockets): forwards bytes both
 * ways and records them all; the client-to-server direction can be held, so a test can
 * take the frames out, damage them, and forward its own version.
 */
import type { Duplex } from 'node:stream';

export interface TamperRelay {
  /** Every byte seen, both directions, in arrival order. */
  captured: Buffer[];
  /** While true, client-to-server bytes are kept in `held` instead of forwarded. */
  isHolding: boolean;
  held: Buffer[];
  /** Resolves when the next client-to-server chunk is held (an event to wait on, not a sleep). */
  nextHeld(): Promise<void>;
  toServer(bytes: Buffer): void;
  endToServer(): void;
}

export function tamperRelay(clientSide: Duplex, serverSide: Duplex): TamperRelay {
  let heldWaiters: (() => void)[] = [];
  const relay: TamperRelay = {
    captured: [],
    isHolding: false,
    held: [],
    nextHeld: () => new Promise((resolve) => heldWaiters.push(resolve)),
    toServer: (bytes) => void serverSide.write(bytes),
    endToServer: () => void serverSide.end(),
  };
  clientSide.on('data', (chunk: Buffer) => {
    relay.captured.push(chunk);
    if (relay.isHolding) {
      relay.held.push(chunk);
      const waiters = heldWaiters;
      heldWaiters = [];
      for (const wake of waiters) wake();
    } else serverSide.write(chunk);
  });
  serverSide.on('data', (chunk: Buffer) => {
    relay.captured.push(chunk);
    clientSide.write(chunk);
  });
  clientSide.on('end', () => serverSide.end());
  serverSide.on('end', () => clientSide.end());
  clientSide.on('close', () => serverSide.destroy());
  serverSide.on('close', () => clientSide.destroy());
  clientSide.on('error', () => {});
  serverSide.on('error', () => {});
  return relay;
}
