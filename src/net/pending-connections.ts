/**
 * Admission control for connections that have not finished the handshake.
 *
 * At most `maxTotal` may be pending, and at most `maxPerAddress` from one IP address. When a
 * limit is hit the newcomer is still admitted and the oldest pending connection of the
 * busiest address is evicted instead: a flood of half-open connections (or a slowloris)
 * therefore churns the attacker's own slots and cannot lock a trusted peer out, who needs a
 * slot only for the few milliseconds its handshake takes.
 */
export interface PendingLimits {
  maxTotal: number;
  maxPerAddress: number;
}

export const DEFAULT_PENDING_LIMITS: PendingLimits = { maxTotal: 128, maxPerAddress: 8 };

export class PendingConnections<Connection> {
  // Map and arrays keep insertion order, so the first entry is always the oldest.
  private readonly byAddress = new Map<string, Connection[]>();
  private total = 0;

  constructor(private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS) {}

  get size(): number {
    return this.total;
  }

  /** Adds a connection; returns the connections evicted to make room (to be closed). */
  admit(connection: Connection, address: string): Connection[] {
    const evicted: Connection[] = [];
    const own = this.byAddress.get(address);
    if (own && own.length >= this.limits.maxPerAddress) evicted.push(this.evictOldest(address));
    while (this.total >= this.limits.maxTotal) evicted.push(this.evictOldest(this.busiestAddress()));
    const list = this.byAddress.get(address) ?? [];
    list.push(connection);
    this.byAddress.set(address, list);
    this.total++;
    return evicted;
  }

  /** Forgets a connection (its handshake finished or failed). */
  release(connection: Connection, address: string): void {
    const list = this.byAddress.get(address);
    const index = list?.indexOf(connection) ?? -1;
    if (!list || index < 0) return;
    list.splice(index, 1);
    this.total--;
    if (list.length === 0) this.byAddress.delete(address);
  }

  all(): Connection[] {
    return [...this.byAddress.values()].flat();
  }

  private busiestAddress(): string {
    let busiest = '';
    let most = -1;
    for (const [address, list] of this.byAddress) {
      if (list.length > most) {
        busiest = address;
        most = list.length;
      }
    }
    return busiest;
  }

  private evictOldest(address: string): Connection {
    const list = this.byAddress.get(address)!;
    const oldest = list.shift()!;
    this.total--;
    if (list.length === 0) this.byAddress.delete(address);
    return oldest;
  }
}
