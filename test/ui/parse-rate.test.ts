import { describe, expect, test } from 'vitest';
import { parseRate } from '../../src/ui/parse-rate.js';
import { SwarmError } from '../../src/errors.js';

describe('parseRate', () => {
  test('units are case-insensitive, with an optional B, iB and /s', () => {
    for (const text of ['10M', '10m', '10MB', '10mb', '10Mb', '10mB', '10MiB', '10mib', '10 MB', '10MB/s', '10mib/s']) {
      expect(parseRate(text), text).toBe(10 * 1024 ** 2);
    }
    expect(parseRate('512k')).toBe(512 * 1024);
    expect(parseRate('512KB')).toBe(512 * 1024);
    expect(parseRate('1GiB')).toBe(1024 ** 3);
    expect(parseRate('1.5M')).toBe(1.5 * 1024 ** 2);
    expect(parseRate('4096')).toBe(4096);
    expect(parseRate('4096B')).toBe(4096);
    expect(parseRate('4096b/s')).toBe(4096);
  });

  test('anything else is a usage error that says what a rate looks like', () => {
    for (const text of ['fast', '', '0', '0MB', '10 T', '10TB', '10iB', '10Mbit', '10MiBB', '-1M', 'M', '10M10']) {
      let error: unknown;
      try {
        parseRate(text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(SwarmError);
      expect((error as SwarmError).exitCode).toBe(2);
      expect((error as SwarmError).message).toBe(`invalid rate ${JSON.stringify(text)}`);
      expect((error as SwarmError).hint).toMatch(/k, M or G suffix/);
    }
  });
});
