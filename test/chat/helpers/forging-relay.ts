// An adversary for end-to-end tests: a trusted peer ("M") running the real SwarmNode and
// the real chat record codec, that relays nothing by itself. The test decides what it
// sends: genuine records it received, altered copies, messages it signs while claiming
// another author, replays. It also keeps every decrypted byte it received, so a test can
// check that a DM relayed through it never appeared in plaintext.
import { SwarmNode } from '../../../src/net/swarm-node.js';
import type { PeerLink } from '../../../src/net/peer-link.js';
import { TrustStore } from '../../../src/identity/trust-store.js';
import { decodeMessage, type ChatMessage } from '../../../src/chat/chat-message.js';
import { decodeBacklogRecord, decodeMessageRecord, encodeMessageRecord, RecordDecoder } from '../../../src/chat/chat-record-codec.js';
import { encodeHave } from '../../../src/chat/sync-records.js';
import type { Person } from './chat-world.js';

type Decoded = Omit<ChatMessage, 'id'>;

export class ForgingRelay {
  readonly received: Decoded[] = [];
  readonly capturedBytes: Buffer[] = [];
  private readonly links = new Map<string, PeerLink>();
  private waiters: (() => void)[] = [];

  private constructor(readonly node: SwarmNode, readonly port: number) {}

  static async start(person: Person): Promise<ForgingRelay> {
    const node = new SwarmNode({ identity: person.identity, trust: TrustStore.load(person.home), host: '127.0.0.1', port: 0 });
    let relay: ForgingRelay | undefined;
    const early: PeerLink[] = [];
    node.handle('chat', (link) => {
      if (relay) relay.attach(link);
      else early.push(link);
      return true;
    });
    const { port } = await node.listen();
    relay = new ForgingRelay(node, port);
    for (const link of early) relay.attach(link);
    return relay;
  }

  waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        reject(new Error(`forging relay: timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  linkTo(person: Person): PeerLink | undefined {
    return this.links.get(person.identity.keyText);
  }

  waitForLink(person: Person): Promise<PeerLink> {
    return this.waitFor(() => this.links.get(person.identity.keyText), `a link from ${person.name}`);
  }

  /** The first received message whose body (as text) satisfies `match`. */
  waitForReceived(match: (message: Decoded) => boolean, what: string): Promise<Decoded> {
    return this.waitFor(() => this.received.find(match), what);
  }

  /** Sends raw message bytes to `person` in a well-framed record, as a relay would. */
  sendTo(person: Person, encodedMessage: Uint8Array, hopsLeft = 8): void {
    const link = this.links.get(person.identity.keyText);
    if (!link) throw new Error(`no link to ${person.name}`);
    link.stream.write(Buffer.from(encodeMessageRecord(hopsLeft, encodedMessage)));
  }

  /** Connects out to a chat node (as a newly joining peer would) and records what it is sent. */
  async dial(port: number): Promise<PeerLink> {
    const link = await this.node.connect('127.0.0.1', port, 'chat');
    this.attach(link);
    return link;
  }

  async close(): Promise<void> {
    await this.node.close();
  }

  private attach(link: PeerLink): void {
    this.links.set(link.remoteKeyText, link);
    const decoder = new RecordDecoder();
    link.stream.on('data', (chunk: Buffer) => {
      this.capturedBytes.push(Buffer.from(chunk));
      for (const record of decoder.push(chunk)) {
        const messageRecord = decodeMessageRecord(record) ?? decodeBacklogRecord(record);
        const decoded = messageRecord && decodeMessage(messageRecord.encodedMessage);
        if (decoded) this.received.push(decoded);
      }
      for (const waiter of [...this.waiters]) waiter();
    });
    // As a node with an empty history would: "I have nothing", so the peer sends its backlog.
    link.stream.write(Buffer.from(encodeHave([])));
    link.stream.on('error', () => {});
    link.stream.on('close', () => {
      if (this.links.get(link.remoteKeyText) === link) this.links.delete(link.remoteKeyText);
    });
    for (const waiter of [...this.waiters]) waiter();
  }
}
