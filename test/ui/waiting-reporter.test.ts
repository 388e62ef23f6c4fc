import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../src/ui/parse-duration.js';
import { formatWaiting } from '../../src/ui/waiting-reporter.js';

describe('the waiting line', () => {
  it('a sharer that went away: its name and what is kept', () => {
    expect(formatWaiting({ peer: 'alice', keptBytes: 51 * 1024 * 1024, wasConnected: true, reason: 'ECONNREFUSED', address: '127.0.0.1:7000' }))
      .toBe('alice went away — retrying (51.0 MiB kept); Ctrl-C to stop');
  });

  it('a sharer never reached: where and why, and nothing kept is not mentioned', () => {
    expect(formatWaiting({ peer: '25ac:d086:4211', keptBytes: 0, wasConnected: false, reason: 'ECONNREFUSED', address: '10.0.0.2:7000' }))
      .toBe('waiting for 25ac:d086:4211 at 10.0.0.2:7000: ECONNREFUSED — retrying; Ctrl-C to stop');
  });

  it('a peer known only by address (--peer) is not named twice', () => {
    expect(formatWaiting({ peer: 'the peer at 10.0.0.2:7000', keptBytes: 0, wasConnected: false, reason: 'ECONNREFUSED', address: '10.0.0.2:7000' }))
      .toBe('waiting for the peer at 10.0.0.2:7000: ECONNREFUSED — retrying; Ctrl-C to stop');
  });

  it('escapes a hostile name from the trust store', () => {
    expect(formatWaiting({ peer: 'ev\u001b[2Jil', keptBytes: 0, wasConnected: true, reason: '' })).not.toContain('\u001b');
  });
});

describe('--timeout durations', () => {
  it('reads s, m, min, h, ms and bare seconds', () => {
    expect(parseDurationMs('3s')).toBe(3000);
    expect(parseDurationMs('90')).toBe(90_000);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('2min')).toBe(120_000);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('250ms')).toBe(250);
  });

  it('refuses anything else as a usage error', () => {
    for (const text of ['soon', '', '0s', '-3s', '3 days', '99999999h']) expect(() => parseDurationMs(text)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
