/**
 * The initiator's side of a node's connections: which local address a dial leaves from, a
 * dial to a known key, a dial by address only (trying the trusted keys, key-search.ts), and
 * handshake v2 over a stream that is already open (a relay's splice, a punched socket).
 */
import type { Duplex } from 'node:stream';
import { isIP, type Socket } from 'node:net';
import { errors } from '../errors.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, secureOutbound } from '../secure/establish-channel.js';
import type { SecureChannel } from '../secure/secure-channel.js';
import { connectSocket } from './connect-socket.js';
import { searchKey } from './key-search.js';
import { formatPeerAddress } from './peer-address.js';
import type { SwarmNodeOptions } from './swarm-node-options.js';

export class OutboundDial {
  constructor(
    private readonly options: SwarmNodeOptions,
    private readonly linkTimeoutMs: number,
    private readonly isClosed: () => boolean,
  ) {}

  /**
   * Outgoing connections leave from --host when it names one address (design.md section 6):
   * otherwise peers see the kernel's choice of source, and peer exchange passes that on
   * instead of the address we listen on. Only for a destination of the same IP family.
   */
  outgoingAddressFor(destination: string): string | undefined {
    const host = this.options.host;
    if (host === undefined || host === '0.0.0.0' || host === '::') return undefined;
    const family = isIP(host);
    return family !== 0 && isIP(destination) === family ? host : undefined;
  }

  async dialKey(host: string, port: number, channel: string, key: Uint8Array, localAddress: string | undefined, onSocket?: (socket: Socket) => void): Promise<SecureChannel> {
    const timeoutMs = this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const socket = await connectSocket(host, port, timeoutMs, localAddress);
    keepAlive(socket, this.linkTimeoutMs);
    onSocket?.(socket);
    if (this.isClosed()) {
      socket.destroy();
      throw errors.nodeClosed();
    }
    return this.handshakeOn(socket, channel, key, formatPeerAddress({ host, port }), timeoutMs);
  }

  /** Tries trusted keys (most recently seen at this address first) until one answers (key-search.ts). */
  dialAddress(host: string, port: number, channel: string, localAddress: string | undefined, trusted: Uint8Array[]): Promise<SecureChannel> {
    const keys = this.options.addressBook?.order(host, port, trusted) ?? trusted;
    return searchKey(formatPeerAddress({ host, port }), keys, (key, onSocket) => this.dialKey(host, port, channel, key, localAddress, onSocket), this.isClosed);
  }

  /** Handshake v2 as the initiator over `raw`, addressed to `expectedKey`; `address` names the peer in errors. */
  handshakeOn(raw: Duplex, channel: string, expectedKey: Uint8Array, address: string, handshakeTimeoutMs = this.options.handshakeTimeoutMs): Promise<SecureChannel> {
    return secureOutbound(raw, {
      identity: this.options.identity,
      allows: (remote) => this.options.trust.allows(remote),
      expectedKey,
      address,
      channel,
      handshakeTimeoutMs,
      maxFrameBytes: this.options.maxFrameBytes,
    });
  }
}

/**
 * TCP keep-alive as well as our own ALIVE frames: it still probes a link whose both
 * directions have sent their end, when frames can no longer be sent (Node sets only the
 * idle time; there is no TCP_USER_TIMEOUT to bound unacknowledged data).
 */
export function keepAlive(socket: Socket, linkTimeoutMs: number): void {
  socket.setKeepAlive(true, linkTimeoutMs);
}
