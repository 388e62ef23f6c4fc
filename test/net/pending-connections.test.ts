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
});
