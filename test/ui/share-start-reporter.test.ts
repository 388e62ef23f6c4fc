// What `swarm share` prints before it serves: the summary line, skipped entries (escaped,
// capped), warnings, and hashing progress as throttled plain lines or --json events.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ShareListing, SkippedEntry } from '../../src/share/share-listing.js';
import { ShareStartReporter, summaryLine } from '../../src/ui/share-start-reporter.js';

const GiB = 1024 ** 3;

function listingOf(fileCount: number, totalBytes: number, skipped: SkippedEntry[], hiddenIncluded: string[] = []): ShareListing {
  const files = Array.from({ length: fileCount }, (_, i) => ({
    parts: [`f${i}`], absolutePath: `/p/f${i}`, size: 0, identity: { mtimeNs: '1', ctimeNs: '1', ino: String(i), dev: '1' },
  }));
  return { root: '/home/me/proj', name: 'proj', isDirectory: true, files, totalBytes, skipped, hiddenIncluded };
}

const outside = (name: string): SkippedEntry => ({ path: `proj/${name}`, reason: 'link-outside', target: `../${name}` });

let stdout: string[];
let stderr: string[];
const stream = { isTTY: false, write: (chunk: string) => (stderr.push(chunk), true) } as unknown as NodeJS.WriteStream;
const jsonEvents = () => stdout.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('summaryLine', () => {
  it('says how many files and bytes are shared and what was skipped, as the issue asked', () => {
    expect(summaryLine(listingOf(1204, 3.1 * GiB, [outside('a'), outside('b')]))).toBe(
      'sharing proj/: 1,204 files, 3.1 GiB (2 symlinks outside the folder skipped)',
    );
    expect(summaryLine(listingOf(1, 10, []))).toBe('sharing proj/: 1 file, 10 B');
    expect(summaryLine({ ...listingOf(1, 5 * 1024 * 1024, []), name: 'movie.mkv', isDirectory: false })).toBe('sharing movie.mkv: 5.0 MiB');
  });
});

describe('ShareStartReporter for people', () => {
  it('lists skipped entries (escaped, at most 10) and warns about hidden names, trust and port', () => {
    const skipped = [{ path: 'proj/evil\u001b[2J', reason: 'link-outside', target: '/etc/\u001b[31mpasswd' } as SkippedEntry, ...'bcdefghijkl'.split('').map(outside)];
    const reporter = new ShareStartReporter(false, stream);
    reporter.listing(listingOf(3, 300, skipped, ['.git']));
    reporter.emptyTrust();
    reporter.portFallback(7927, 41234);
    expect(stderr).toEqual([
      'sharing proj/: 3 files, 300 B (12 symlinks outside the folder skipped)\n',
      '  skipped proj/evil\\x1b[2J -> /etc/\\x1b[31mpasswd: symlink to outside the folder (never followed)\n',
      ...'bcdefghij'.split('').map((n) => `  skipped proj/${n} -> ../${n}: symlink to outside the folder (never followed)\n`),
      '  … and 2 more skipped (--json lists the first 100)\n',
      'warning: the share includes hidden names (.git): getters must run swarm get with --allow-hidden\n',
      'warning: your trust list is empty, so nobody can fetch this yet: swarm trust add <their key>\n',
      'warning: port 7927 is taken; listening on 41234 instead — friends behind a firewall rule for 7927 cannot reach you (--port chooses the port, and fails if it is taken)\n',
    ]);
    expect(stdout).toEqual([]);
  });

  it('prints hashing progress at most every 2 s off a TTY, always the end, and a cache hit in one line', () => {
    const reporter = new ShareStartReporter(false, stream);
    reporter.hashing(0, 4 * GiB, false);
    reporter.hashing(1 * GiB, 4 * GiB, false); // too soon
    vi.advanceTimersByTime(2000);
    reporter.hashing(2 * GiB, 4 * GiB, false);
    reporter.hashing(4 * GiB, 4 * GiB, false); // the end is always shown
    reporter.hashing(4 * GiB, 4 * GiB, true);
    expect(stderr).toEqual([
      'hashing: 0% 0 B/4.0 GiB\n',
      'hashing: 50% 2.0 GiB/4.0 GiB\n',
      'hashing: 100% 4.0 GiB/4.0 GiB\n',
      'piece hashes from the cache: nothing changed since the last share of it\n',
    ]);
  });
});

describe('ShareStartReporter --json', () => {
  it('prints listing, warning and throttled hashing events on stdout and nothing on stderr', () => {
    const reporter = new ShareStartReporter(true, stream);
    reporter.listing(listingOf(2, 20, [outside('x')]));
    reporter.portFallback(7927, 5000);
    reporter.hashing(0, 100, false);
    reporter.hashing(10, 100, false); // within 500 ms: dropped
    vi.advanceTimersByTime(500);
    reporter.hashing(50, 100, false);
    reporter.hashing(100, 100, false);
    expect(jsonEvents()).toEqual([
      { event: 'listing', name: 'proj', files: 2, bytes: 20, skippedCount: 1, skipped: [{ path: 'proj/x', reason: 'link-outside', target: '../x' }] },
      { event: 'warning', code: 'PORT_FALLBACK', message: expect.stringContaining('port 7927 is taken; listening on 5000 instead'), requestedPort: 7927, port: 5000 },
      { event: 'hashing', done: 0, total: 100, cached: false },
      { event: 'hashing', done: 50, total: 100, cached: false },
      { event: 'hashing', done: 100, total: 100, cached: false },
    ]);
    expect(stderr).toEqual([]);
  });
});
