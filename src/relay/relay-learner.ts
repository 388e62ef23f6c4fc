/**
 * Relays learned from trusted peers (docs/protocol.md, "Relays learned from trusted
 * peers"): a node that no one can dial and that was given no --relay asks trusted peers it
 * reached by dialling out whether they relay, by opening `relay register` to them. A peer
 * with --offer-relay (or `swarm relay`) accepts; any other refuses (no-service) and is not
 * asked again. No new wire message: the answer to a registration is the offer. At most
 * MAX_LEARNED_RELAYS are kept, one question at a time, each peer asked once.
 */
import { EventEmitter } from 'node:events';
import { RELAY_REGISTER_CHANNEL } from '../net/channel-name.js';
import type { PeerLink } from '../net/peer-link.js';
import type { RelayAddress } from './relay-address.js';

export const MAX_LEARNED_RELAYS = 2;
/** Peers waiting to be asked, and peers asked, at most (trusted keys only, so few). */
const MAX_CANDIDATES = 16;
const MAX_ASKED = 256;

export interface LearningNode {
  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<PeerLink>;
}

type Candidate = RelayAddress & { key: Uint8Array };

/** Events: 'learned' (relay with its key). */
export class RelayLearner extends EventEmitter<{ learned: [Candidate] }> {
  private readonly candidates = new Map<string, Candidate>();
  private readonly asked = new Set<string>();
  private learnedCount = 0;
  private isActive = false;
  private isAsking = false;
  private isClosed = false;

  constructor(private readonly node: LearningNode, private readonly isTrusted: (key: Uint8Array) => boolean, private readonly maxRelays = MAX_LEARNED_RELAYS) {
    super();
  }

  get learned(): number {
    return this.learnedCount;
  }

  /** A trusted peer we reached by dialling `host:port` (so others may reach it there too). */
  consider(key: Uint8Array, host: string, port: number): void {
    const hex = Buffer.from(key).toString('hex');
    if (this.isClosed || this.asked.has(hex) || this.candidates.has(hex) || this.candidates.size >= MAX_CANDIDATES) return;
    this.candidates.set(hex, { host, port, key });
    void this.askNext();
  }

  /** This node turned out to need a relay (its port is not reachable): start asking. */
  activate(): void {
    this.isActive = true;
    void this.askNext();
  }

  close(): void {
    this.isClosed = true;
    this.candidates.clear();
  }

  private async askNext(): Promise<void> {
    if (!this.isActive || this.isAsking || this.isClosed || this.learnedCount >= this.maxRelays || this.asked.size >= MAX_ASKED) return;
    const [hex, candidate] = this.candidates.entries().next().value ?? [];
    if (hex === undefined || candidate === undefined) return;
    this.candidates.delete(hex);
    this.asked.add(hex);
    this.isAsking = true;
    try {
      const link = await this.node.connect(candidate.host, candidate.port, RELAY_REGISTER_CHANNEL, { expectedKey: candidate.key });
      // The registration that keeps the relay dials its own link; this one only asked.
      link.close();
      if (!this.isClosed && this.isTrusted(candidate.key) && this.learnedCount < this.maxRelays) {
        this.learnedCount += 1;
        this.emit('learned', candidate);
      }
    } catch {
      // Refused (it does not relay), or unreachable: not a relay for us.
    } finally {
      this.isAsking = false;
      void this.askNext();
    }
  }
}
