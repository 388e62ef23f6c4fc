/**
 * What `swarm share` prints before it serves (share-reporter.ts takes over at `ready`):
 * what is shared and what was skipped, warnings that would otherwise surface only as a
 * friend's failed download (empty trust list, fallback port, hidden names), and hashing
 * progress. On stderr for people (a bar on a TTY, else a line every 2 s), or --json
 * events on stdout: `listing`, `warning {code, message}`, `hashing {done, total, cached}`.
 */
import { createSingleBar, type SingleBar } from './lazy-progress-bar.js';
import type { ShareListing, SkipReason, SkippedEntry } from '../share/share-listing.js';
import { printJsonLine } from './json-output.js';
import { formatBytes, formatPercent } from './progress-format.js';
import { escapeTerminal } from './terminal-text.js';

export type ShareWarningCode = 'EMPTY_TRUST' | 'PORT_FALLBACK' | 'HIDDEN_NAMES';

const MAX_DETAIL_LINES = 10;
/** Entries a --json `listing` event names (its counts cover all of them). */
const MAX_JSON_ENTRIES = 100;
const PLAIN_INTERVAL_MS = 2000;
const JSON_INTERVAL_MS = 500;

/** [one, many] of what was skipped, and why, as the summary line says it. */
const REASON_TEXT: Record<SkipReason, [string, string, string]> = {
  'link-outside': ['symlink outside the folder', 'symlinks outside the folder', 'symlink to outside the folder (never followed)'],
  'link-inside': ['symlink inside the folder', 'symlinks inside the folder', 'symlink inside the folder (links are never followed)'],
  'link-broken': ['broken symlink', 'broken symlinks', 'symlink that leads nowhere or loops'],
  hidden: ['hidden name', 'hidden names', 'hidden name (--include-hidden shares it)'],
  'refused-name': ['name getters refuse', 'names getters refuse', 'getters refuse this name or depth'],
  collision: ['name clash on case-insensitive disks', 'name clashes on case-insensitive disks', 'same name as a sibling on a case-insensitive disk'],
  special: ['special file', 'special files', 'not a regular file (FIFO, socket or device)'],
  unreadable: ['unreadable entry', 'unreadable entries', 'permission denied'],
  loop: ['folder loop', 'folder loops', 'folder already shared (a mount loop)'],
};

export class ShareStartReporter {
  private bar: SingleBar | undefined;
  private lastHashLineAt = 0;

  constructor(private readonly isJson: boolean, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  /** The summary line (`sharing proj/: 1,204 files, 3.1 GiB (2 symlinks outside the folder skipped)`), then details. */
  listing(listing: ShareListing): void {
    if (this.isJson) {
      printJsonLine({
        event: 'listing', name: listing.name, files: listing.files.length, bytes: listing.totalBytes,
        skippedCount: listing.skipped.length, skipped: listing.skipped.slice(0, MAX_JSON_ENTRIES),
      });
    } else {
      this.stream.write(`${summaryLine(listing)}\n`);
      for (const entry of listing.skipped.slice(0, MAX_DETAIL_LINES)) this.stream.write(`  ${detailLine(entry)}\n`);
      const more = listing.skipped.length - MAX_DETAIL_LINES;
      if (more > 0) this.stream.write(`  … and ${more} more skipped (--json lists the first ${MAX_JSON_ENTRIES})\n`);
    }
    if (listing.hiddenIncluded.length > 0) {
      const names = listing.hiddenIncluded.slice(0, 3).map(escapeTerminal).join(', ') + (listing.hiddenIncluded.length > 3 ? ', …' : '');
      this.warn('HIDDEN_NAMES', `the share includes hidden names (${names}): getters must run swarm get with --allow-hidden`);
    }
  }

  emptyTrust(): void {
    this.warn('EMPTY_TRUST', 'your trust list is empty, so nobody can fetch this yet: swarm trust add <their key>');
  }

  portFallback(requestedPort: number, port: number): void {
    this.warn('PORT_FALLBACK', `port ${requestedPort} is taken; listening on ${port} instead — friends behind a firewall rule for ${requestedPort} cannot reach you (--port chooses the port, and fails if it is taken)`, { requestedPort, port });
  }

  /** Hashing progress; `isCached` when the piece-hash cache spared reading the files. */
  hashing(done: number, total: number, isCached: boolean): void {
    const isFinal = done >= total;
    const now = Date.now();
    if (this.isJson) {
      if (!isFinal && done > 0 && now - this.lastHashLineAt < JSON_INTERVAL_MS) return;
      this.lastHashLineAt = now;
      printJsonLine({ event: 'hashing', done, total, cached: isCached });
      return;
    }
    if (isCached) {
      this.stream.write(`piece hashes from the cache: nothing changed since the last share of it\n`);
      return;
    }
    if (this.stream.isTTY) return this.drawBar(done, total, isFinal);
    if (!isFinal && done > 0 && now - this.lastHashLineAt < PLAIN_INTERVAL_MS) return;
    this.lastHashLineAt = now;
    this.stream.write(`hashing: ${formatPercent(done, total)} ${formatBytes(done)}/${formatBytes(total)}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private drawBar(done: number, total: number, isFinal: boolean): void {
    const payload = { bytes: `${formatBytes(done)}/${formatBytes(total)}` };
    if (!this.bar) {
      this.bar = createSingleBar({ stream: this.stream, format: 'hashing {bar} {percentage}% | {bytes}', hideCursor: true, barsize: 24 });
      this.bar.start(Math.max(total, 1), done, payload);
    } else {
      this.bar.update(done, payload);
    }
    if (isFinal) this.stop();
  }

  private warn(code: ShareWarningCode, message: string, fields: object = {}): void {
    if (this.isJson) printJsonLine({ event: 'warning', code, message, ...fields });
    else this.stream.write(`warning: ${message}\n`);
  }
}

export function summaryLine(listing: ShareListing): string {
  const name = escapeTerminal(listing.name) + (listing.isDirectory ? '/' : '');
  const files = listing.isDirectory ? `${plural(listing.files.length, 'file', 'files')}, ` : '';
  const counts = new Map<SkipReason, number>();
  for (const entry of listing.skipped) counts.set(entry.reason, (counts.get(entry.reason) ?? 0) + 1);
  const skipped = [...counts].map(([reason, count]) => `${plural(count, REASON_TEXT[reason][0], REASON_TEXT[reason][1])} skipped`);
  return `sharing ${name}: ${files}${formatBytes(listing.totalBytes)}${skipped.length > 0 ? ` (${skipped.join(', ')})` : ''}`;
}

function detailLine(entry: SkippedEntry): string {
  const target = entry.target === undefined ? '' : ` -> ${escapeTerminal(entry.target)}`;
  return `skipped ${escapeTerminal(entry.path)}${target}: ${REASON_TEXT[entry.reason][2]}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
