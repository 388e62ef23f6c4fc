import { describe, expect, it } from 'vitest';
import { networkOf, PendingConnections } from '../../src/net/pending-connections.js';

describe('pending-handshake admission', () => {
  it('groups addresses by /24 (IPv4) and /64 (IPv6)', () => {
    expect(networkOf('10.1.2.3')).toBe('10.1.2.0/24');
    expect(networkOf('::ffff:10.1.2.99')).toBe('10.1.2.0/24');
    expect(networkOf('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(networkOf('2001:0db8:0000:0001:ffff::1')).toBe('2001:db8:0:1::/64');
    expect(networkOf('::1')).toBe('0:0:0:0::/64');
  });

  it('a flood from one /24, each connection from a new address, never evicts a peer from elsewhere', () => {
    const pending = new PendingConnections<string>({ maxTotal: 128, maxPerAddress: 8 });
    for (let i = 0; i < 127; i++) pending.admit(`attacker-${i}`, `10.9.8.${i % 250}`);
    pending.admit('trusted', '192.0.2.7');
    for (let i = 0; i < 2000; i++) {
      const evicted = pending.admit(`attacker-late-${i}`, `10.9.8.${i % 250}`);
      expect(evicted).not.toContain('trusted');
    }
    expect(pending.all()).toContain('trusted');
    expect(pending.size).toBe(128);
  });

  it('the same holds for an IPv6 /64', () => {
    const pending = new PendingConnections<string>({ maxTotal: 32, maxPerAddress: 8 });
    pending.admit('trusted', '2001:db8:aaaa:1::1');
    for (let i = 0; i < 1000; i++) pending.admit(`attacker-${i}`, `2001:db8:bad:1::${i.toString(16)}`);
    expect(pending.all()).toContain('trusted');
  });

  it('an attacker spread over many networks cannot make eviction order predictable', () => {
    // With oldest-first eviction the trusted connection would go after exactly maxTotal newcomers.
    let survived = 0;
    for (let trial = 0; trial < 200; trial++) {
      const pending = new PendingConnections<string>({ maxTotal: 16, maxPerAddress: 8 });
      pending.admit('trusted', '192.0.2.7');
      for (let i = 0; i < 31; i++) pending.admit(`a${i}`, `10.${i}.0.1`);
      if (pending.all().includes('trusted')) survived++;
    }
    expect(survived).toBeGreaterThan(0);
    expect(survived).toBeLessThan(200);
  });

  it('caps connections per address by turning the newcomer away, never evicting a handshake in progress there', () => {
    const pending = new PendingConnections<string>({ maxTotal: 100, maxPerAddress: 2 });
    pending.admit('x1', '10.0.0.1');
    pending.admit('x2', '10.0.0.1');
    for (let i = 0; i < 64; i++) expect(pending.admit(`late-${i}`, '10.0.0.1')).toEqual([`late-${i}`]);
    expect(pending.all()).toEqual(['x1', 'x2']);
    pending.release('x2', '10.0.0.1');
    expect(pending.admit('x3', '10.0.0.1')).toEqual([]);
    expect(pending.all()).toEqual(['x1', 'x3']);
  });

  it('at the total cap, a newcomer whose own address is the only one pending is turned away', () => {
    const pending = new PendingConnections<string>({ maxTotal: 4, maxPerAddress: 8 });
    for (let i = 0; i < 4; i++) pending.admit(`in-progress-${i}`, '10.0.0.1');
    expect(pending.admit('newcomer', '10.0.0.1')).toEqual(['newcomer']);
    // From elsewhere, the busiest address pays instead.
    expect(pending.admit('other', '192.0.2.1')).toHaveLength(1);
    expect(pending.all()).toContain('other');
  });

  it('at an address\'s cap, the newcomer takes the slot of the oldest most expendable connection there, never one ranked 0', () => {
    const rank = new Map<string, number>([['silent-1', 2], ['idle-1', 1], ['silent-2', 2], ['in-progress', 0]]);
    const pending = new PendingConnections<string>({ maxTotal: 100, maxPerAddress: 4 }, (connection) => rank.get(connection) ?? 0);
    for (const connection of ['idle-1', 'silent-1', 'in-progress', 'silent-2']) pending.admit(connection, '10.0.0.1');
    expect(pending.admit('newcomer-1', '10.0.0.1')).toEqual(['silent-1']);
    expect(pending.admit('newcomer-2', '10.0.0.1')).toEqual(['silent-2']);
    expect(pending.admit('newcomer-3', '10.0.0.1')).toEqual(['idle-1']);
    // Only handshakes that may be in progress are left: the next newcomer is turned away.
    expect(pending.admit('newcomer-4', '10.0.0.1')).toEqual(['newcomer-4']);
    expect(pending.all()).toEqual(['in-progress', 'newcomer-1', 'newcomer-2', 'newcomer-3']);
    expect(pending.size).toBe(4);
    // Another address's connections are never taken for it.
    pending.admit('other', '10.0.0.2');
    rank.set('other', 2);
    expect(pending.admit('newcomer-5', '10.0.0.1')).toEqual(['newcomer-5']);
    expect(pending.all()).toContain('other');
  });

  describe('addresses looked up only when the caps can apply', () => {
    const withRandom = <T>(random: () => number, body: () => T): T => {
      const original = Math.random;
      Math.random = random;
      try {
        return body();
      } finally {
        Math.random = original;
      }
    };

    /** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
    const generator = (seed: number) => () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };

    it('makes the same decision as eager sorting at every step of random admits and releases, and asks no address below the per-address cap', () => {
      const addresses = ['10.0.0.1', '10.0.0.2', '10.0.1.1', '192.0.2.7', '2001:db8::1'];
      let decisionsAtACap = 0;
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const random = generator(seed);
        const limits = { maxTotal: 12, maxPerAddress: 4 };
        const addressOfConnection = new Map<string, string>();
        const rank = new Map<string, number>();
        let lookups = 0;
        const lazy = new PendingConnections<string>(limits, (c) => rank.get(c) ?? 0, (c) => (lookups++, addressOfConnection.get(c)!));
        const eager = new PendingConnections<string>(limits, (c) => rank.get(c) ?? 0);
        const live: string[] = [];
        for (let step = 0; step < 600; step++) {
          if (live.length > 0 && random() < 0.45) {
            const connection = live.splice(Math.floor(random() * live.length), 1)[0]!;
            lazy.release(connection);
            eager.release(connection, addressOfConnection.get(connection)!);
          } else {
            const connection = `c${step}`;
            addressOfConnection.set(connection, addresses[Math.floor(random() * addresses.length)]!);
            rank.set(connection, Math.floor(random() * 3));
            const lookupsBefore = lookups;
            const totalBefore = lazy.size;
            // The same tie-breaks for both (pickRandom): one seeded sequence per step, replayed.
            const fromLazy = withRandom(generator(seed * 1000 + step), () => lazy.admit(connection));
            const fromEager = withRandom(generator(seed * 1000 + step), () => eager.admit(connection, addressOfConnection.get(connection)!));
            if (fromLazy.join() !== fromEager.join()) throw new Error(`seed ${seed} step ${step}: ${fromLazy.join()} vs ${fromEager.join()}`);
            if (fromEager.length > 0) decisionsAtACap++;
            if (totalBefore < limits.maxPerAddress && lookups !== lookupsBefore) throw new Error(`seed ${seed} step ${step}: an address asked below the cap`);
            for (const gone of fromEager) live.splice(live.indexOf(gone), 1);
            if (!fromEager.includes(connection)) live.push(connection);
            // Ranks change as connections go silent or idle.
            if (live.length > 0) rank.set(live[Math.floor(random() * live.length)]!, Math.floor(random() * 3));
          }
          if (lazy.size !== eager.size || lazy.all().sort().join() !== eager.all().sort().join()) throw new Error(`seed ${seed} step ${step}: pending sets differ`);
        }
      }
      // The run reached both caps often enough to mean something.
      expect(decisionsAtACap).toBeGreaterThan(50);
    });

    it('below the per-address cap, admits and releases without asking any address', () => {
      let lookups = 0;
      const pending = new PendingConnections<string>({ maxTotal: 128, maxPerAddress: 8 }, () => 0, () => (lookups++, '10.0.0.1'));
      for (let i = 0; i < 1000; i++) {
        for (let j = 0; j < 8; j++) expect(pending.admit(`c${i}-${j}`)).toEqual([]);
        for (let j = 0; j < 8; j++) pending.release(`c${i}-${j}`);
      }
      expect(lookups).toBe(0);
      expect(pending.size).toBe(0);
      // The ninth from one address is the first to need addresses: all nine are looked up, and it is turned away.
      for (let j = 0; j < 8; j++) pending.admit(`d${j}`);
      expect(pending.admit('d8')).toEqual(['d8']);
      expect(lookups).toBe(9);
    });
  });
});
