/**
 * What `swarm get` shows while it runs: a progress bar (or plain lines) on stderr once the
 * metadata is in, or --json events on stdout (metadata, checking, progress about once a
 * second, peer-*, done, seeding). Before the metadata nothing is drawn, so a refusal stays
 * a one-line error; while data already on disk is hash-checked (a resume) one "checking"
 * line stands in for a bar that would sit at 0%. get-command parses the options and runs
 * the session; this prints.
 */
import type { EventEmitter } from 'node:events';
import type { TransferSnapshot } from '../share/get-session.js';
import { stagingName } from '../share/output-target.js';
import { printJsonLine } from './json-output.js';
import { DownloadProgress, showServingStatus } from './progress-display.js';
import { watchPeerEvents } from './progress-events.js';
import { formatBytes, formatElapsed, plural } from './progress-format.js';
import { escapeTerminal } from './terminal-text.js';


/** What the reporter listens to: metadata and peer-* events, and snapshots on demand. */
export interface DownloadSource extends EventEmitter {
  snapshot(): TransferSnapshot;
  readonly isResume: boolean;
  /** The output already held exactly this content (nothing needed fetching). */
  readonly alreadyComplete: boolean;
  readonly savedPath: string;
}

export interface TransferReporterOptions {
  isJson: boolean;
  nameOf(keyText: string): string | undefined;
  /** How often the bar is redrawn; --json progress is at most one line per second. */
  refreshMs?: number;
}

const JSON_PROGRESS_INTERVAL_MS = 1000;

export class TransferReporter {
  private readonly progress: DownloadProgress;
  private tick: NodeJS.Timeout | undefined;
  private hasMetadata = false;
  private lastJsonAt = 0;

  constructor(private readonly source: DownloadSource, private readonly options: TransferReporterOptions) {
    this.progress = new DownloadProgress(process.stderr, !options.isJson);
    watchPeerEvents(source, options.nameOf, options.isJson);
    source.once('metadata', (info: { name: string; length: number; files: number }) => {
      this.hasMetadata = true;
      if (options.isJson) printJsonLine({ event: 'metadata', name: info.name, length: info.length, files: info.files, resume: source.isResume });
    });
    source.once('checking', ({ bytes }: { bytes: number }) => {
      if (options.isJson) printJsonLine({ event: 'checking', bytes });
      else process.stderr.write(`checking ${formatBytes(bytes)} already here…\n`);
    });
    this.tick = setInterval(() => this.showProgress(), options.refreshMs ?? 250);
  }

  private showProgress(): void {
    if (!this.hasMetadata) return;
    const snap = this.source.snapshot();
    if (snap.isChecking) return;
    this.progress.update({ done: snap.verified, total: snap.length, speed: snap.downloadSpeed, peers: snap.peers });
    if (this.options.isJson && Date.now() - this.lastJsonAt >= JSON_PROGRESS_INTERVAL_MS) {
      this.lastJsonAt = Date.now();
      printJsonLine({ event: 'progress', verified: snap.verified, length: snap.length, received: snap.received, speed: Math.round(snap.downloadSpeed), peers: snap.peers });
    }
  }

  /** The download is complete and verified: the last bar, then `done` (or the "saved" line). */
  done(): void {
    clearInterval(this.tick);
    const { source, options } = this;
    const snap = source.snapshot();
    const path = source.savedPath;
    this.progress.update({ done: snap.verified, total: snap.length, speed: snap.downloadSpeed, peers: snap.peers });
    this.progress.stop();
    if (options.isJson) {
      const peers = snap.traffic.map((traffic) => ({ ...traffic, name: options.nameOf(traffic.key) }));
      printJsonLine({ event: 'done', path, length: snap.length, received: snap.received, resumed: source.isResume, alreadyComplete: source.alreadyComplete, peers });
    } else {
      const verb = source.alreadyComplete ? 'already complete:' : 'saved';
      process.stderr.write(`${verb} ${escapeTerminal(path)} (${formatBytes(snap.length)}, every piece verified)\n`);
    }
  }

  /** `--seed`: a status line (or a `seeding` event) until the returned stop is called, then a closing line. */
  seeding(port: number): () => void {
    const stopStatus = showServingStatus(() => this.source.snapshot(), this.options.isJson);
    if (this.options.isJson) printJsonLine({ event: 'seeding', port });
    const startedAtMs = Date.now();
    return () => {
      stopStatus();
      const snap = this.source.snapshot();
      const servedPeers = snap.traffic.filter((peer) => peer.sent > 0).length;
      const seconds = Math.round((Date.now() - startedAtMs) / 1000);
      if (this.options.isJson) printJsonLine({ event: 'stopped', uploaded: snap.uploaded, peers: servedPeers, seconds });
      else process.stderr.write(`stopped seeding ${escapeTerminal(this.source.savedPath)} after ${formatElapsed(Date.now() - startedAtMs)}; uploaded ${formatBytes(snap.uploaded)} to ${plural(servedPeers, 'peer')}\n`);
    };
  }

  /** Ctrl-C before the end: the closing line (or a `stopped` event) saying what is kept and how to resume. */
  stopped(): void {
    this.stop();
    const snap = this.source.snapshot();
    const part = this.hasMetadata && snap.name ? stagingName(snap.name) : undefined;
    if (this.options.isJson) {
      printJsonLine({ event: 'stopped', verified: snap.verified, length: snap.length, ...(part ? { part } : {}) });
    } else if (part && snap.verified > 0) {
      process.stderr.write(`stopped; ${formatBytes(snap.verified)} kept in ${escapeTerminal(part)}, run the same command to resume\n`);
    } else {
      process.stderr.write('stopped before any piece was verified; run the same command to start again\n');
    }
  }

  /** Stops drawing (interrupt or failure); safe to call more than once. */
  stop(): void {
    clearInterval(this.tick);
    this.progress.stop();
  }
}
