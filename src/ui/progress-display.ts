/**
 * Transfer progress on stderr: a cli-progress bar on a TTY (bytes, %, speed, ETA, peers),
 * otherwise a plain line every few seconds, and nothing at all in --json mode (events
 * go to stdout instead). Share uses the same display as a one-line status.
 */
import { SingleBar } from 'cli-progress';
import { formatBytes, formatDuration, formatPercent, formatSpeed } from './progress-format.js';

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
    const eta = sample.speed > 0 ? (sample.total - sample.done) / sample.speed : Infinity;
    const payload = {
      bytes: `${formatBytes(sample.done)}/${formatBytes(sample.total)}`,
      speed: formatSpeed(sample.speed),
      etaText: formatDuration(eta),
      peers: sample.peers,
    };
    if (this.isTty) {
      if (!this.bar) {
        this.bar = new SingleBar({
          stream: this.stream,
          format: '{bar} {percentage}% | {bytes} | {speed} | ETA {etaText} | {peers} peers',
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
    const isFinal = sample.total > 0 && sample.done >= sample.total;
    if (isFinal ? this.hasPrintedFinal : now - this.lastPlainAt < PLAIN_INTERVAL_MS) return;
    this.hasPrintedFinal = isFinal;
    this.lastPlainAt = now;
    this.stream.write(`${formatPercent(sample.done, sample.total)} ${payload.bytes} ${payload.speed} ETA ${payload.etaText} peers ${sample.peers}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

/** The share status line: peers and bytes uploaded, rewritten in place on a TTY. */
export class ShareStatus {
  private lastPlain = '';
  private lastPlainAt = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly isEnabled = true) {}

  update(peers: number, uploaded: number, uploadSpeed: number): void {
    if (!this.isEnabled) return;
    const text = `serving: ${peers} peer${peers === 1 ? '' : 's'}, uploaded ${formatBytes(uploaded)} (${formatSpeed(uploadSpeed)})`;
    if (this.stream.isTTY) {
      this.stream.write(`\r\u001b[2K${text}`);
      return;
    }
    const now = Date.now();
    const summary = `${peers}|${formatBytes(uploaded)}`;
    if (summary === this.lastPlain || now - this.lastPlainAt < PLAIN_INTERVAL_MS) return;
    this.lastPlain = summary;
    this.lastPlainAt = now;
    this.stream.write(`${text}\n`);
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
