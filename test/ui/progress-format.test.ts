// Every number swarm prints goes through one formatter: no raw floats (`110.45454545454545
// B/s`), "1 peer" but "2 peers", and a complete download shows no speed or ETA.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DownloadProgress } from '../../src/ui/progress-display.js';
import { formatBytes, formatElapsed, formatSpeed, plural } from '../../src/ui/progress-format.js';

describe('progress-format', () => {
  it('rounds bytes and speeds in every unit', () => {
    expect(formatSpeed(110.45454545454545)).toBe('110 B/s');
    expect(formatBytes(1023.7)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatBytes(191.4 * 1024 * 1024)).toBe('191 MiB');
    expect(formatBytes(-5)).toBe('0 B');
    expect(formatBytes(Number.NaN)).toBe('0 B');
    for (let bytes = 0.5; bytes < 2 ** 42; bytes *= 1.37) expect(formatBytes(bytes)).toMatch(/^\d+(\.\d)? (B|KiB|MiB|GiB|TiB)$/);
  });

  it('says durations and counts as words', () => {
    expect(formatElapsed(42_400)).toBe('42 s');
    expect(formatElapsed(180_000)).toBe('3 m');
    expect(formatElapsed(3_590_000)).toBe('1 h');
    expect(formatElapsed(2 * 3600_000 + 5 * 60_000)).toBe('2 h 5 m');
    expect(plural(1, 'peer')).toBe('1 peer');
    expect(plural(2, 'peer')).toBe('2 peers');
    expect(plural(0, 'peer')).toBe('0 peers');
  });
});

describe('DownloadProgress without a TTY', () => {
  function capture(): { stream: NodeJS.WriteStream; text: () => string } {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk) => (text += String(chunk)));
    return { stream, text: () => text };
  }

  it('rounds the speed, says "1 peer", and shows no speed for a complete file', () => {
    const { stream, text } = capture();
    const progress = new DownloadProgress(stream);
    progress.update({ done: 1024, total: 4096, speed: 110.45454545454545, peers: 1 });
    progress.update({ done: 4096, total: 4096, speed: 5000.5, peers: 2 });
    expect(text()).toBe('25% 1.0 KiB/4.0 KiB 110 B/s ETA 28s, 1 peer\n100% 4.0 KiB/4.0 KiB complete, 2 peers\n');
  });
});
