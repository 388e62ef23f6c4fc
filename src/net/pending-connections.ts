/**
 * Admission control for connections that have not finished the handshake.
 *
 * At most `maxTotal` may be pending, and at most `maxPerAddress` from one IP address. A
 * handshake in progress is never evicted for a newcomer from its own address (evicting the
 * oldest would let a flood from a shared address, e.g. behind one NAT, kill every handshake
 * there before it can finish). But a connection that cannot be one is: at the address's
 * cap the newcomer takes the slot of the oldest connection there that `expendability` ranks
 * above 0 (highest rank first: one already refused, then one that has sent nothing yet), and
 * is turned away only when none is. Otherwise a flood of forged message 1s held open from a
 * trusted peer's own address (one NAT) would keep its slots full and lock the peer out until
 * the flood's deadlines passed.
 * When the total is hit, a pending connection from the busiest network (other than the
 * newcomer's own address) is evicted: a flood of half-open connections from elsewhere
 * churns the attacker's own slots and cannot lock a trusted peer out.
 *
 * Addresses are looked up only when they can matter (`addressOf`, a getpeername per socket,
 * was the largest cost of a forged connection after mac1): while fewer than `maxPerAddress`
 * connections are pending in all, no address can be at its cap and the total is below
 * `maxTotal`, so newcomers wait unsorted; the first newcomer that finds the total at the
 * per-address cap sorts them (at most the cap) by address, oldest first, and every
 * decision from then on is the one an eagerly sorted list would make
 * (test/net/pending-connections.test.ts checks the two against each other).
 *
 * "Network" is the /24 of an IPv4 address and the /64 of an IPv6 one, because an attacker
 * rarely controls one address but often a whole such block. Ties are broken at random, so
 * an attacker spread over many networks cannot predict (and time) whose turn is next.
 */
export interface PendingLimits {
  maxTotal: number;
  maxPerAddress: number;
}

export const DEFAULT_PENDING_LIMITS: PendingLimits = { maxTotal: 128, maxPerAddress: 8 };

const NONE: readonly never[] = Object.freeze([]);

/** 0: a handshake that may be in progress (never evicted for a same-address newcomer); higher: evicted first. */
export type Expendability<Connection> = (connection: Connection) => number;

export type AddressOf<Connection> = (connection: Connection) => string;

export class PendingConnections<Connection> {
  // Map and arrays keep insertion order, so the first entry is always the oldest.
  private readonly byAddress = new Map<string, Connection[]>();
  // Admitted while the total was below the per-address cap; all older than any sorted one.
  private readonly unsorted = new Set<Connection>();
  // The address each sorted connection was filed under (a socket's may be gone by its release).
  private readonly sortedAddress = new Map<Connection, string>();
  private total = 0;

  constructor(
    private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS,
    private readonly expendability: Expendability<Connection> = () => 0,
    private readonly addressOf?: AddressOf<Connection>,
  ) {}

  get size(): number {
    return this.total;
  }

  /**
   * Adds a connection; returns the connections to close: those evicted to make room, or
   * the newcomer itself when it is turned away (then it was not added). Without `address`
   * it is looked up (addressOf) only once the caps can apply.
   */
  admit(connection: Connection, address?: string): readonly Connection[] {
    if (address === undefined && this.addressOf && this.total < this.limits.maxPerAddress && this.total < this.limits.maxTotal) {
      this.unsorted.add(connection);
      this.total++;
      return NONE;
    }
    this.sortUnsorted();
    address ??= this.addressOf!(connection);
    const own = this.byAddress.get(address);
    if (own && own.length >= this.limits.maxPerAddress) {
      const index = this.mostExpendable(own);
      if (index < 0) return [connection];
      // The newcomer takes the slot: the total is unchanged.
      const [victim] = own.splice(index, 1);
      this.sortedAddress.delete(victim!);
      own.push(connection);
      this.sortedAddress.set(connection, address);
      return [victim!];
    }
    // The common case (below both caps) allocates nothing but the address's list.
    let evicted: Connection[] | undefined;
    while (this.total >= this.limits.maxTotal) {
      const victim = this.addressToEvict(address);
      if (victim === undefined) return [...(evicted ?? []), connection];
      (evicted ??= []).push(this.evictOldest(victim));
    }
    this.file(connection, address);
    this.total++;
    return evicted ?? NONE;
  }

  /** Forgets a connection (its handshake finished or failed); `address` only if it was given to admit. */
  release(connection: Connection, address?: string): void {
    if (this.unsorted.delete(connection)) return void this.total--;
    const filed = this.sortedAddress.get(connection) ?? address;
    const list = filed === undefined ? undefined : this.byAddress.get(filed);
    const index = list?.indexOf(connection) ?? -1;
    if (!list || index < 0) return;
    list.splice(index, 1);
    this.sortedAddress.delete(connection);
    this.total--;
    if (list.length === 0) this.byAddress.delete(filed!);
  }

  private file(connection: Connection, address: string): void {
    const own = this.byAddress.get(address);
    if (own) own.push(connection);
    else this.byAddress.set(address, [connection]);
    this.sortedAddress.set(connection, address);
  }

  private sortUnsorted(): void {
    if (this.unsorted.size === 0) return;
    for (const connection of this.unsorted) this.file(connection, this.addressOf!(connection));
    this.unsorted.clear();
  }

  /** The index of the oldest connection of the highest rank above 0 in `list`, or -1. */
  private mostExpendable(list: Connection[]): number {
    let best = -1;
    let bestRank = 0;
    for (let i = 0; i < list.length; i++) {
      const rank = this.expendability(list[i]!);
      if (rank > bestRank) {
        best = i;
        bestRank = rank;
      }
    }
    return best;
  }

  all(): Connection[] {
    return [...this.unsorted, ...[...this.byAddress.values()].flat()];
  }

  /** The busiest address of the busiest network, never `spared`; ties at either level are broken at random. */
  private addressToEvict(spared: string): string | undefined {
    const byNetwork = new Map<string, { count: number; addresses: string[] }>();
    for (const [address, list] of this.byAddress) {
      if (address === spared) continue;
      const network = networkOf(address);
      const entry = byNetwork.get(network) ?? { count: 0, addresses: [] };
      entry.count += list.length;
      entry.addresses.push(address);
      byNetwork.set(network, entry);
    }
    if (byNetwork.size === 0) return undefined;
    const network = pickRandom(mostBy([...byNetwork.values()], (entry) => entry.count));
    return pickRandom(mostBy(network.addresses, (address) => this.byAddress.get(address)!.length));
  }

  private evictOldest(address: string): Connection {
    const list = this.byAddress.get(address)!;
    const oldest = list.shift()!;
    this.sortedAddress.delete(oldest);
    this.total--;
    if (list.length === 0) this.byAddress.delete(address);
    return oldest;
  }
}

/** The /24 of an IPv4 address (also when IPv4-mapped), the /64 of an IPv6 one. */
export function networkOf(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+)\.\d+$/i.exec(address);
  if (v4) return `${v4[1]}.0/24`;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function mostBy<T>(items: T[], score: (item: T) => number): T[] {
  const best = Math.max(...items.map(score));
  return items.filter((item) => score(item) === best);
}

function pickRandom<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
