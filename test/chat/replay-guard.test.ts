import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../src/chat/replay-guard.js';

const NOW = 1_800_000_000_000;

describe('replay guard', () => {
  it('reports a remembered (author, seq) as seen, other authors and seqs as new', () => {
    const guard = new ReplayGuard();
    expect(guard.check('a', 1, NOW, NOW)).toBe('new');
    guard.remember('a', 1);
    expect(guard.check('a', 1, NOW, NOW)).toBe('seen');
    expect(guard.check('a', 2, NOW, NOW)).toBe('new');
    expect(guard.check('b', 1, NOW, NOW)).toBe('new');
  });

  it('drops timestamps outside the window', () => {
    const guard = new ReplayGuard({ maxAgeMs: 60_000, maxFutureMs: 5_000 });
    expect(guard.check('a', 1, NOW - 60_001, NOW)).toBe('too-old');
    expect(guard.check('a', 1, NOW + 5_001, NOW)).toBe('from-future');
    expect(guard.check('a', 1, NOW - 59_000, NOW)).toBe('new');
  });

  it('stays bounded and still refuses forgotten messages through the per-author floor', () => {
    const guard = new ReplayGuard({ maxEntries: 100 });
    for (let seq = 1; seq <= 1000; seq++) guard.remember('a', seq);
    expect(guard.size).toBeLessThanOrEqual(100);
    expect(guard.check('a', 1, NOW, NOW)).toBe('seen');
    expect(guard.check('a', 950, NOW, NOW)).toBe('seen');
    expect(guard.check('a', 1001, NOW, NOW)).toBe('new');
    expect(guard.check('a', 1000, NOW, NOW)).toBe('seen');
  });
});
