/**
 * One Mainline DHT node (bittorrent-dht) with the small API the rest of swarm uses:
 * announce(key20, port) and lookup(key20) -> AsyncIterable<{host, port}>. It knows nothing
 * of shares or chat: the keys it is given are already opaque (dht-keys.ts). The routing
 * table is loaded from and saved to SWARM_HOME (dht-routing-file.ts). Answers are bounded:
 * at most MAX_PEERS_PER_LOOKUP distinct addresses per lookup, each in a space we are in
 * (dht-address-scope.ts); a lookup ends when the DHT walk does or after its timeout.
 */
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import DHT from 'bittorrent-dht';
import type { PeerAddress } from '../net/peer-address.js';
import { bootstrapText, type DhtConfig } from './dht-config.js';
import { isDialableScope, ownScopes, type AddressScope } from './dht-address-scope.js';
import { DHT_KEY_BYTES } from './dht-keys.js';
import { loadDhtNodes, saveDhtNodes } from './dht-routing-file.js';

export const MAX_PEERS_PER_LOOKUP = 32;
export const LOOKUP_TIMEOUT_MS = 30_000;
/** Peers a node stores for others, and keys it stores them under: bounded memory for what strangers announce. */
const MAX_STORED_PEERS = 2000;
const MAX_TABLES = 200;

export interface DhtNodeOptions {
  config: DhtConfig;
  /** SWARM_HOME, where the routing table is kept; none: nothing saved. */
  home?: string;
  /** The TCP listening host: the DHT socket binds there when it is one IPv4 address, so announces carry it. */
  listenHost?: string;
}

export class DhtNode {
  /** UDP datagrams sent and received, for the idle-traffic benchmark and tests. */
  sentCount = 0;
  receivedCount = 0;
  private readonly scopes: Set<AddressScope>;
  /** Ends every lookup under way, at close. */
  private readonly finishers = new Set<() => void>();
  private isClosed = false;

  private constructor(private readonly dht: DHT, private readonly options: DhtNodeOptions, readonly bindHost: string) {
    this.scopes = ownScopes(options.listenHost);
  }

  /**
   * A node listening; it bootstraps in the background (lookups and announces made meanwhile
   * start from the bootstrap nodes), so a command never waits for an unreachable DHT.
   */
  static async start(options: DhtNodeOptions): Promise<DhtNode> {
    const bindHost = options.listenHost && isIP(options.listenHost) === 4 ? options.listenHost : '0.0.0.0';
    const socket = createSocket('udp4');
    const dht = new DHT({
      bootstrap: options.config.bootstrap.map((a) => ({ host: a.host, port: a.port })),
      socket,
      maxPeers: MAX_STORED_PEERS,
      maxTables: MAX_TABLES,
      maxValues: 100,
    });
    const node = new DhtNode(dht, options, bindHost);
    const send = socket.send.bind(socket) as (...args: unknown[]) => void;
    (socket as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
      node.sentCount++;
      send(...args);
    };
    socket.on('message', () => node.receivedCount++);
    dht.on('error', () => undefined); // a send error on one datagram; the walk goes on
    dht.on('warning', () => undefined);
    if (options.home) {
      for (const saved of loadDhtNodes(options.home, bootstrapText(options.config))) dht.addNode({ host: saved.host, port: saved.port, id: Buffer.from(saved.id, 'hex') });
    }
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      dht.listen(0, bindHost, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return node;
  }

  get port(): number {
    return this.dht.address().port;
  }

  /** Nodes in the routing table now. */
  get nodeCount(): number {
    return this.dht.nodes.count();
  }

  /** Stores our address (the UDP source) with `port` under `key` at the nodes closest to it. */
  announce(key: Uint8Array, port: number): Promise<void> {
    checkKey(key);
    return new Promise((resolve) => {
      if (this.isClosed) return resolve();
      this.dht.announce(Buffer.from(key), port, () => resolve());
    });
  }

  /** The addresses stored under `key`, as the walk finds them (each once, dialable from here, bounded). */
  async *lookup(key: Uint8Array, timeoutMs = LOOKUP_TIMEOUT_MS): AsyncIterable<PeerAddress> {
    checkKey(key);
    if (this.isClosed) return;
    const wanted = Buffer.from(key);
    const seen = new Set<string>();
    const queue: PeerAddress[] = [];
    let isDone = false;
    let wake: (() => void) | undefined;
    const onPeer = (peer: { host: string; port: number }, infoHash: Buffer) => {
      if (isDone || !wanted.equals(infoHash) || seen.size >= MAX_PEERS_PER_LOOKUP) return;
      const id = `${peer.host}:${peer.port}`;
      if (seen.has(id) || !(peer.port >= 1 && peer.port <= 65535) || !isDialableScope(peer.host, this.scopes)) return;
      seen.add(id);
      queue.push({ host: peer.host, port: peer.port });
      wake?.();
    };
    const finish = () => {
      isDone = true;
      wake?.();
    };
    this.dht.on('peer', onPeer);
    this.finishers.add(finish);
    const abort = this.dht.lookup(wanted, finish);
    const timer = setTimeout(finish, timeoutMs);
    try {
      while (true) {
        const next = queue.shift();
        if (next) yield next;
        else if (isDone || this.isClosed) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      isDone = true;
      clearTimeout(timer);
      abort();
      this.finishers.delete(finish);
      this.dht.off('peer', onPeer);
    }
  }

  /** Writes the routing table to SWARM_HOME; the number of nodes saved. An empty table (offline) keeps the old file. */
  save(): number {
    if (!this.options.home) return 0;
    const nodes = this.dht.nodes.toArray().map((n) => ({ host: n.host, port: n.port, id: Buffer.from(n.id).toString('hex') }));
    if (nodes.length === 0) return 0;
    return saveDhtNodes(this.options.home, bootstrapText(this.options.config), nodes);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const finish of this.finishers) finish();
    this.save();
    await new Promise<void>((resolve) => this.dht.destroy(() => resolve()));
  }
}

function checkKey(key: Uint8Array): void {
  if (key.length !== DHT_KEY_BYTES) throw new RangeError(`a DHT key is ${DHT_KEY_BYTES} bytes`);
}
