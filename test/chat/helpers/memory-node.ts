// An in-memory stand-in for net's SwarmNode, for testing the chat session's logic
// (routing, sync, DMs, history) without sockets. End-to-end claims are made by the
// tests under test/e2e that run the real CLI over TCP.
import { Duplex } from 'node:stream';
import type { ChatPeerLink } from '../../../src/chat/chat-link.js';
import type { ChatNode } from '../../../src/chat/chat-session.js';
import { encodeKeyText } from '../../../src/identity/key-text.js';

function duplexPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const make = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        other().push(chunk);
        callback();
      },
      final(callback) {
        other().push(null);
        callback();
      },
    });
  a = make(() => b);
  b = make(() => a);
  // Like a socket: when one end goes away the other sees it close.
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
  return [a, b];
}

export class MemoryNetwork {
  readonly nodes = new Map<number, MemoryNode>();
  private nextPort = 1;
  /** The node for this key, created on first use (a restart reuses its port). */
  nodeFor(publicKey: Uint8Array): MemoryNode {
    const existing = [...this.nodes.values()].find((node) => Buffer.from(node.publicKey).equals(publicKey));
    if (existing) {
      existing.isUp = true;
      return existing;
    }
    return this.add(publicKey);
  }

  add(publicKey: Uint8Array): MemoryNode {
    const node = new MemoryNode(this, publicKey, this.nextPort++);
    this.nodes.set(node.port, node);
    return node;
  }
}

export class MemoryNode implements ChatNode {
  handler: ((link: ChatPeerLink) => void | boolean) | undefined;
  readonly links = new Set<ChatPeerLink>();
  isUp = true;

  constructor(private readonly network: MemoryNetwork, readonly publicKey: Uint8Array, readonly port: number) {}

  handle(_channel: 'chat', handler: (link: ChatPeerLink) => void | boolean): void {
    this.handler = handler;
  }

  async connect(host: string, port: number): Promise<ChatPeerLink> {
    const remote = this.network.nodes.get(port);
    if (!remote || !remote.isUp || !remote.handler) throw new Error(`ECONNREFUSED ${host}:${port}`);
    const [mine, theirs] = duplexPair();
    const myLink = this.link(mine, remote, true);
    const theirLink = remote.link(theirs, this, false);
    if (remote.handler(theirLink) === false) {
      theirLink.close();
      throw new Error('refused');
    }
    return myLink;
  }

  /** Drops every link, like a process going away. */
  crash(): void {
    this.isUp = false;
    for (const link of [...this.links]) link.close();
  }

  private link(stream: Duplex, remote: MemoryNode, isInitiator: boolean): ChatPeerLink {
    const link: ChatPeerLink = {
      remoteKey: remote.publicKey,
      remoteKeyText: encodeKeyText(remote.publicKey),
      remoteHost: '127.0.0.1',
      remotePort: remote.port,
      isInitiator,
      stream,
      close: () => {
        this.links.delete(link);
        stream.destroy();
      },
    };
    stream.on('close', () => this.links.delete(link));
    this.links.add(link);
    return link;
  }
}
