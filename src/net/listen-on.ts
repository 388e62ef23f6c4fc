/**
 * Opening a TCP listener with a deep accept queue, and the one-line error for a port or
 * host that cannot be listened on (shared by nodes and the pairing listener).
 */
import type { Server } from 'node:net';
import { errors, systemErrorCode, type SwarmError } from '../errors.js';

const LISTEN_BACKLOG = 4096;

export function listenOn(server: Server, host: string | undefined, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    // A deep accept queue: a burst of connections (a flood, or many peers at once) waits
    // there to be turned away cheaply, instead of overflowing and making the kernel drop the
    // SYNs of everyone, trusted peers included, who then retry only after a second.
    server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export function listenError(error: unknown, host: string | undefined, port: number): SwarmError {
  const code = systemErrorCode(error);
  const where = `${host ?? '*'}:${port}`;
  if (code === 'EADDRINUSE') return errors.portInUse(port, where);
  if (code === 'EADDRNOTAVAIL') return errors.badHost(where);
  if (code === 'EACCES') return errors.portDenied(where);
  return errors.listenFailed(where, code ?? String(error));
}
