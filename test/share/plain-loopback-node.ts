/**
 * A stand-in for SwarmNode with the same TorrentNode shape, over PLAIN loopback TCP:
 * the initiator sends one line "<channel> <its key text>\n", the responder answers
 * "ok <its key text>\n" or closes. It authenticates nothing; it exists so share/ can be
 * tested in-process (webtorrent wiring, peer exchange, corrupt pieces) independently of
 * secure/. End-to-end tests use the real node through the CLI.
 */
import net from 'node:net';
import { createIdentity, type Identity } from '../../src/identity/identity.js';
import { decodeKeyText } from '../../src/identity/key-text.js';
import type { TorrentNode, TorrentPeerLink } from '../../src/share/torrent-node.js';

// Every node made in this process: `trustedKeys` lists the ones `trusted` accepts.
const allNodes = new Set<PlainLoopbackNode>();

export class PlainLoopbackNode implements TorrentNode {
  readonly identity: Identity;
  private server: net.Server | undefined;
  private handler: ((link: TorrentPeerLink) => void | boolean) | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(readonly host = '127.0.0.1', readonly trusted: (keyText: string) => boolean = () => true) {
    this.identity = createIdentity();
    allNodes.add(this);
  }

  /** For swarm_pex `accept`: as a trust store would list them. */
  trustedKeys(): Uint8Array[] {
    return [...allNodes].filter((node) => node !== this && this.trusted(node.keyText)).map((node) => node.identity.publicKey);
  }

  get keyText(): string {
    return this.identity.keyText;
  }

  async listen(): Promise<{ host: string; port: number }> {
    this.server = net.createServer((socket) => this.onIncoming(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, this.host, resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return { host: this.host, port: this.port };
  }

  handle(_channel: 'torrent', handler: (link: TorrentPeerLink) => void | boolean): void {
    this.handler = handler;
  }

  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<TorrentPeerLink> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      this.track(socket);
      socket.once('error', reject);
      socket.once('connect', () => socket.write(`${channel} ${this.keyText}\n`));
      readLine(socket, (line) => {
        const match = /^ok (\S+)$/.exec(line ?? '');
        if (!match) {
          socket.destroy();
          return reject(Object.assign(new Error('refused by peer'), { code: 'REFUSED' }));
        }
        const remoteKey = decodeKeyText(match[1]!);
        if (opts?.expectedKey && Buffer.compare(Buffer.from(opts.expectedKey), Buffer.from(remoteKey)) !== 0) {
          socket.destroy();
          return reject(Object.assign(new Error('unexpected key'), { code: 'WRONG_KEY' }));
        }
        socket.removeListener('error', reject);
        resolve(makeLink(socket, remoteKey, match[1]!, channel, host, port, true));
      });
    });
  }

  private onIncoming(socket: net.Socket): void {
    this.track(socket);
    socket.on('error', () => {});
    readLine(socket, (line) => {
      const match = /^(torrent [0-9a-f]{40}) (\S+)$/.exec(line ?? '');
      if (!match || !this.handler || !this.trusted(match[2]!)) return socket.destroy();
      socket.write(`ok ${this.keyText}\n`);
      const link = makeLink(socket, decodeKeyText(match[2]!), match[2]!, match[1]!, socket.remoteAddress!, socket.remotePort!, false);
      if (this.handler(link) === false) socket.destroy();
    });
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  async close(): Promise<void> {
    allNodes.delete(this);
    for (const socket of this.sockets) socket.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function makeLink(socket: net.Socket, remoteKey: Uint8Array, remoteKeyText: string, channel: string, remoteHost: string, remotePort: number, isInitiator: boolean): TorrentPeerLink {
  return { remoteKey, remoteKeyText, channel, remoteHost, remotePort, isInitiator, stream: socket, close: () => socket.destroy() };
}

/** Reads one "\n"-terminated line, then unshifts the rest back into the socket. */
function readLine(socket: net.Socket, onLine: (line: string | undefined) => void): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const index = buffered.indexOf(10);
    if (index < 0) {
      if (buffered.length > 1024) finish(undefined);
      return;
    }
    const rest = buffered.subarray(index + 1);
    finish(buffered.subarray(0, index).toString('utf8'));
    if (rest.length) socket.unshift(rest);
  };
  const onClose = () => finish(undefined);
  const finish = (line: string | undefined) => {
    socket.removeListener('data', onData);
    socket.removeListener('close', onClose);
    socket.pause();
    onLine(line);
  };
  socket.on('data', onData);
  socket.on('close', onClose);
}
