// The addresses the chat banner tells friends to use, and peer hosts shown plainly.
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { friendAddresses } from '../../src/ui/listen-addresses.js';
import { plainHost } from '../../src/net/peer-address.js';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal }) as NetworkInterfaceInfo;
const machine = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('10.66.0.2', 'IPv4'), nic('fe80::1', 'IPv6')],
  wlan0: [nic('192.168.1.5', 'IPv4')],
};

describe('friendAddresses', () => {
  it('for 0.0.0.0 and :: lists every non-loopback IPv4, then loopback for this machine', () => {
    for (const host of ['0.0.0.0', '::']) {
      expect(friendAddresses(host, 7927, machine)).toEqual({ network: ['10.66.0.2:7927', '192.168.1.5:7927'], local: ['127.0.0.1:7927'] });
    }
  });

  it('for one listening address names just that one', () => {
    expect(friendAddresses('10.66.0.2', 7000, machine)).toEqual({ network: ['10.66.0.2:7000'], local: [] });
    expect(friendAddresses('127.0.0.3', 7000, machine)).toEqual({ network: [], local: ['127.0.0.3:7000'] });
    expect(friendAddresses('fd00::2', 7000, machine)).toEqual({ network: ['[fd00::2]:7000'], local: [] });
  });
});

describe('plainHost', () => {
  it('shows an IPv4-mapped address as plain IPv4 and leaves the rest alone', () => {
    expect(plainHost('::ffff:10.66.0.2')).toBe('10.66.0.2');
    expect(plainHost('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(plainHost('fd00::2')).toBe('fd00::2');
    expect(plainHost('10.0.0.1')).toBe('10.0.0.1');
  });
});
