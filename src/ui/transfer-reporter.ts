/**
 * What `swarm get` shows while it runs: a progress bar (or plain lines) on stderr once the
 * metadata is in, or --json events on stdout (metadata, progress about once a second,
 * peer-*, done, seeding). Before the metadata nothing is drawn, so a refusal stays a
 * one-line error. get-command parses the options and runs the session; this prints.
 */
import type { EventEmitter } from 'node:events';
import type { TransferSnapshot } from '../share/get-session.js';
import { printJsonLine } from './json-output.js';
import { DownloadProgress, ShareStatus } from './progress-display.js';
import { watchPeerEvents } from './progress-events.js';
import { formatBytes } from './progress-format.js';
import { escapeTerminal } from './terminal-text.js';


/** What the reporter listens to: metadata and peer-* events, and snapshots on demand. */
export interface DownloadSource extends EventEmitter {
  snapshot(): TransferSnapshot;
  readonly isResume: boolean;
}

export interface DownloadResult {
  path: string;
  alreadyComplete: boolean;
  peers: { key: string; name?: string }[];
}

export interface TransferReporterOptions {
  isJson: boolean;
  nameOf(keyText: string): string | undefined;
  /** How often the bar is redrawn; --json progress is at most one line per second. */
  refreshMs?: number;
}

const JSON_PROGRESS_INTERVAL_MS = 1000;
const SEEDING_STATUS_INTERVAL_MS = 1000;

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
    this.tick = setInterval(() => this.showProgress(), options.refreshMs ?? 250);
  }

  private showProgress(): void {
    if (!this.hasMetadata) return;
    const snap = this.source.snapshot();
    this.progress.update({ done: snap.verified, total: snap.length, speed: snap.downloadSpeed, peers: snap.peers });
    if (this.options.isJson && Date.now() - this.lastJsonAt >= JSON_PROGRESS_INTERVAL_MS) {
      this.lastJsonAt = Date.now();
      printJsonLine({ event: 'progress', verified: snap.verified, length: snap.length, received: snap.received, speed: Math.round(snap.downloadSpeed), peers: snap.peers });
    }
  }

  /** The download is complete and verified: the last bar, then `done` (or the "saved" line). */
  done(result: DownloadResult): void {
    clearInterval(this.tick);
    const snap = this.source.snapshot();
    this.progress.update({ done: snap.verified, total: snap.length, speed: snap.downloadSpeed, peers: snap.peers });
    this.progress.stop();
    if (this.options.isJson) {
      printJsonLine({ event: 'done', path: result.path, length: snap.length, received: snap.received, resumed: this.source.isResume, alreadyComplete: result.alreadyComplete, peers: result.peers });
    } else {
      const verb = result.alreadyComplete ? 'already complete:' : 'saved';
      process.stderr.write(`${verb} ${escapeTerminal(result.path)} (${formatBytes(snap.length)}, every piece verified)\n`);
    }
  }

  /** `--seed`: a status line (or a `seeding` event) until the returned stop is called. */
  seeding(port: number): () => void {
    const status = new ShareStatus(process.stderr, !this.options.isJson);
    const seedTick = setInterval(() => {
      const snap = this.source.snapshot();
      status.update(snap.peers, snap.uploaded, snap.uploadSpeed);
    }, SEEDING_STATUS_INTERVAL_MS);
    if (this.options.isJson) printJsonLine({ event: 'seeding', port });
    return () => {
      clearInterval(seedTick);
      status.stop();
    };
  }

  /** Stops drawing (interrupt or failure); safe to call more than once. */
  stop(): void {
    clearInterval(this.tick);
    this.progress.stop();
  }
}
