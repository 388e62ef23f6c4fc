/**
 * Transfer progress on stderr: a cli-progress bar on a TTY (bytes, %, speed, ETA, peers),
 * otherwise a plain line every few seconds, and nothing at all in --json mode (events
 * go to stdout instead). Share uses the same display as a one-line status.
 */
import { createSingleBar, type SingleBar } from './lazy-progress-bar.js';
import { formatBytes, formatDuration, formatPercent, formatSpeed, plural } from './progress-format.js';

export interface ProgressSample {
  done: number;
  total: number;
  speed: number;
  peers: number;
}

const PLAIN_INTERVAL_MS = 2000;

export class DownloadProgress {
  private bar: SingleBar | undefined;
  private lastPlainAt = 0;
  private hasPrintedFinal = false;
  private readonly isTty: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly isEnabled = true) {
    this.isTty = !!stream.isTTY;
  }

  update(sample: ProgressSample): void {
    if (!this.isEnabled) return;
    const isComplete = sample.total > 0 && sample.done >= sample.total;
    const eta = sample.speed > 0 ? (sample.total - sample.done) / sample.speed : Infinity;
    // A complete file has no speed or ETA worth showing (it may have been complete before we started).
    const rate = isComplete ? 'complete' : `${formatSpeed(sample.speed)} | ETA ${formatDuration(eta)}`;
    const payload = {
      bytes: `${formatBytes(sample.done)}/${formatBytes(sample.total)}`,
      rate,
      peersText: plural(sample.peers, 'peer'),
    };
    if (this.isTty) {
      if (!this.bar) {
        this.bar = createSingleBar({
          stream: this.stream,
          format: '{bar} {percentage}% | {bytes} | {rate} | {peersText}',
          hideCursor: true,
          barsize: 24,
        });
        this.bar.start(Math.max(sample.total, 1), sample.done, payload);
      } else {
        this.bar.setTotal(Math.max(sample.total, 1));
        this.bar.update(sample.done, payload);
      }
      return;
    }
    const now = Date.now();
    if (isComplete ? this.hasPrintedFinal : now - this.lastPlainAt < PLAIN_INTERVAL_MS) return;
    this.hasPrintedFinal = isComplete;
    this.lastPlainAt = now;
    const rateText = isComplete ? 'complete' : `${formatSpeed(sample.speed)} ETA ${formatDuration(eta)}`;
    this.stream.write(`${formatPercent(sample.done, sample.total)} ${payload.bytes} ${rateText}, ${payload.peersText}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

/**
 * The share status line: peers (and, given, how far each is) and bytes uploaded,
 * rewritten in place on a TTY with event lines printed above it.
 */
export class ShareStatus {
  private lastPlain = '';
  private lastPlainAt = 0;
  /** What the TTY line shows now ('' before the first update), to redraw it under an event line. */
  private ttyLine = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly isEnabled = true) {}

  update(peers: number, uploaded: number, uploadSpeed: number, peerDetail = ''): void {
    if (!this.isEnabled) return;
    const who = peerDetail ? `${plural(peers, 'peer')} (${peerDetail})` : plural(peers, 'peer');
    const text = `serving: ${who}, uploaded ${formatBytes(uploaded)} (${formatSpeed(uploadSpeed)})`;
    if (this.stream.isTTY) {
      // Longer than the terminal, the line would wrap and \r could no longer take it back.
      const columns = this.stream.columns || 80;
      this.ttyLine = text.length >= columns ? `${text.slice(0, columns - 2)}…` : text;
      this.stream.write(`\r\u001b[2K${this.ttyLine}`);
      return;
    }
    const now = Date.now();
    const summary = `${peers}|${formatBytes(uploaded)}|${peerDetail}`;
    if (summary === this.lastPlain || now - this.lastPlainAt < PLAIN_INTERVAL_MS) return;
    this.lastPlain = summary;
    this.lastPlainAt = now;
    this.stream.write(`${text}\n`);
  }

  /** One line of its own (an event); on a TTY above the status line, which is drawn again below it. */
  printAbove(line: string): void {
    if (!this.stream.isTTY) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.stream.write(`\r\u001b[2K${line}\n${this.ttyLine}`);
  }

  stop(): void {
    if (this.isEnabled && this.stream.isTTY) this.stream.write('\n');
  }
}

/** What the serving status line shows. */
export interface ServingSample {
  peers: number;
  uploaded: number;
  uploadSpeed: number;
}

const SERVING_STATUS_INTERVAL_MS = 1000;

/**
 * While a torrent is served (`swarm share`, `swarm get --seed`): the status line once a
 * second (unless --json), and `onTick` with each sample; returns the stop function.
 */
export function showServingStatus<T extends ServingSample>(sample: () => T, isJson: boolean, onTick?: (sample: T) => void): () => void {
  const status = new ShareStatus(process.stderr, !isJson);
  const tick = setInterval(() => {
    const current = sample();
    status.update(current.peers, current.uploaded, current.uploadSpeed);
    onTick?.(current);
  }, SERVING_STATUS_INTERVAL_MS);
  return () => {
    clearInterval(tick);
    status.stop();
  };
}
