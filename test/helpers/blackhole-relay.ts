/**
 * A userspace TCP relay on loopback that can make a path die silently, the way roaming,
 * NAT rebinding or a sleeping laptop does: `blackhole()` stops forwarding on every
 * connection it carries without closing any (bytes are read and dropped, so both ends see
 * their sends accepted and hear nothing back). New connections are forwarded as before,
 * leaving from `sourceAddress` (set it to another 127.0.0.N to look like a new address).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';

export interface BlackholeRelay {
  host: string;
  port: number;
  /** Source address of upstream connections made from now on. */
  sourceAddress: string | undefined;
  /** How many connections were forwarded so far. */
  readonly accepted: number;
  /** Silently stops forwarding on every connection open now (they stay open). */
  blackhole(): void;
  close(): Promise<void>;
}

const relays: BlackholeRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

export async function startBlackholeRelay(target: { host: string; port: number }, options: { host?: string; sourceAddress?: string } = {}): Promise<BlackholeRelay> {
  const pairs = new Set<{ client: Socket; upstream: Socket; isDead: boolean }>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    const upstream = connect({ host: target.host, port: target.port, localAddress: relay.sourceAddress });
    const pair = { client, upstream, isDead: false };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (pair.isDead || to.write(chunk)) return;
        // Backpressure passes through, as on a real path: a slow reader slows the sender.
        from.pause();
        to.once('drain', () => from.resume());
      });
      from.on('end', () => pair.isDead || to.end());
      from.on('close', () => {
        pairs.delete(pair);
        if (!pair.isDead) to.destroy();
      });
      from.on('error', () => {});
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const relay: BlackholeRelay = {
    host,
    port: (server.address() as { port: number }).port,
    sourceAddress: options.sourceAddress,
    get accepted() {
      return accepted;
    },
    blackhole() {
      for (const pair of pairs) {
        pair.isDead = true;
        pair.client.resume();
        pair.upstream.resume();
      }
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  relays.push(relay);
  return relay;
}
