import { describe, expect, test } from 'vitest';
import { parseDefaultGateway } from '../../src/nat/gateway.js';
import { isPrivateIPv4 } from '../../src/nat/port-mapping.js';
import { isOutsideLocalNetworks } from '../../src/nat/outside-address.js';

const HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';

describe('default gateway and address kinds', () => {
  test('the default route (UP|GATEWAY) of /proc/net/route, little-endian hex', () => {
    const table = [HEADER, 'eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0', 'eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0', ''].join('\n');
    expect(parseDefaultGateway(table)).toBe('192.168.1.1');
  });

  test('no default route, or one that is down, has no gateway', () => {
    expect(parseDefaultGateway(HEADER)).toBeUndefined();
    expect(parseDefaultGateway([HEADER, 'eth0\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0'].join('\n'))).toBeUndefined();
    expect(parseDefaultGateway([HEADER, 'eth0\t00000000\tzz\t0003'].join('\n'))).toBeUndefined();
  });

  test('private, shared and reserved external addresses are flagged', () => {
    for (const address of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1', '127.0.0.1', '169.254.1.1', '0.0.0.0', '224.0.0.1', 'nonsense', '1.2.3']) {
      expect(isPrivateIPv4(address), address).toBe(true);
    }
    for (const address of ['11.11.11.10', '172.32.0.1', '100.128.0.1', '8.8.8.8']) expect(isPrivateIPv4(address), address).toBe(false);
  });
});

describe('isOutsideLocalNetworks', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [{ address: '192.168.1.2', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: '192.168.1.2/24' }],
  } as unknown as NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;

  test('a host on one of our subnets, loopback or not IPv4 is not outside', () => {
    for (const host of ['192.168.1.77', '::ffff:192.168.1.9', '127.0.0.5', '::1', 'fe80::1', 'nonsense']) expect(isOutsideLocalNetworks(host, interfaces), host).toBe(false);
  });

  test('any other IPv4 host is', () => {
    for (const host of ['11.11.11.100', '::ffff:192.168.2.2', '10.0.0.1']) expect(isOutsideLocalNetworks(host, interfaces), host).toBe(true);
  });
});
