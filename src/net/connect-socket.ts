/** Opens a TCP connection with a deadline, turning socket errors into one-line SwarmErrors. */
import { connect, type Socket } from 'node:net';
import { errors, systemErrorCode } from '../errors.js';

export function connectSocket(host: string, port: number, timeoutMs: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, localAddress, noDelay: true });
    const fail = (why: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(errors.connectFailed(host, port, why));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('error', (error) => fail(systemErrorCode(error) ?? error.message));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
