/**
 * The waiting side of `swarm pair`: a TCP listener of its own (no swarm handshake: no key
 * is known yet) that takes exactly one pairing attempt. A connection counts as the attempt
 * only once it sent a hello with our code number; anything else (a port scan, a swarm node,
 * a hello for another number) is closed without a byte in reply. The first matching hello
 * closes the listener, so the code serves one guess and is then dead, whatever the outcome.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { systemErrorCode } from '../errors.js';
import { HandshakeReader } from '../secure/handshake-reader.js';
import { decodeHello, HELLO_BYTES, type Hello } from '../secure/pairing-protocol.js';
import { listenError, listenOn } from './listen-on.js';
import { DEFAULT_PORT } from './swarm-node.js';

/** Strangers' connections waiting to show a hello; more are closed at once. */
export const MAX_PENDING_PAIR_CONNECTIONS = 8;
/** A connection must send its hello within this. */
export const PAIR_HELLO_TIMEOUT_MS = 10_000;

export interface PairingAttempt {
  socket: Socket;
  reader: HandshakeReader;
  hello: Hello;
}

export interface PairingListenerOptions {
  host?: string;
  /** Without it: DEFAULT_PORT, or any free port if that is taken. */
  port?: number;
  codeNumber: number;
  helloTimeoutMs?: number;
}

export class PairingListener {
  private readonly pending = new Set<Socket>();
  private attemptWaiter?: (attempt: PairingAttempt) => void;
  private attempt?: PairingAttempt;
  private taken = false;
  /** Connections turned away without a reply (wrong number, not a hello, too many, too slow). */
  ignoredConnections = 0;

  private constructor(private readonly server: Server, private readonly options: PairingListenerOptions) {}

  static async open(options: PairingListenerOptions): Promise<PairingListener> {
    const server = createServer({ noDelay: true });
    const listener = new PairingListener(server, options);
    server.on('connection', (socket) => listener.accept(socket));
    try {
      await listenOn(server, options.host, options.port ?? DEFAULT_PORT);
    } catch (error) {
      if (options.port !== undefined || systemErrorCode(error) !== 'EADDRINUSE') throw listenError(error, options.host, options.port ?? DEFAULT_PORT);
      await listenOn(server, options.host, 0);
    }
    return listener;
  }

  address(): { host: string; port: number } {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('PairingListener: no TCP address');
    return { host: address.address, port: address.port };
  }

  /** Resolves with the one connection whose hello carries our code number. */
  nextAttempt(): Promise<PairingAttempt> {
    return new Promise((resolve) => {
      if (this.attempt) resolve(this.attempt);
      else this.attemptWaiter = resolve;
    });
  }

  close(): void {
    this.server.close();
    for (const socket of this.pending) socket.destroy();
    this.pending.clear();
  }

  private accept(socket: Socket): void {
    if (this.taken || this.pending.size >= MAX_PENDING_PAIR_CONNECTIONS) {
      this.ignoredConnections++;
      socket.destroy();
      return;
    }
    this.pending.add(socket);
    socket.on('error', () => {});
    const reader = new HandshakeReader(socket);
    const ignore = () => {
      clearTimeout(timer);
      if (!this.pending.delete(socket)) return;
      this.ignoredConnections++;
      socket.destroy();
    };
    const timer = setTimeout(ignore, this.options.helloTimeoutMs ?? PAIR_HELLO_TIMEOUT_MS);
    reader.readExactly(HELLO_BYTES).then((bytes) => {
      const hello = decodeHello(bytes);
      if (!hello || hello.number !== this.options.codeNumber || this.taken) return ignore();
      clearTimeout(timer);
      this.pending.delete(socket);
      this.taken = true;
      this.close();
      this.attempt = { socket, reader, hello };
      this.attemptWaiter?.(this.attempt);
    }, ignore);
  }
}
