/**
 * What `swarm share` shows: the magnet link on stdout and how to use it on stderr (or a
 * --json `ready` event); who connects and leaves and when each getter finishes (`bob
 * finished big.bin (191 MiB) in 42 s`, or `peer-finished`); once a second the status line
 * on stderr with how far each peer is (or a --json `status` event with each key's
 * traffic); and a closing line when it is stopped. share-command parses and starts the
 * share; this prints.
 */
import type { EventEmitter } from 'node:events';
import type { ShareSnapshot } from '../share/share-session.js';
import type { FileChange } from '../share/shared-file-watch.js';
import { printJsonLine } from './json-output.js';
import { ShareStatus } from './progress-display.js';
import { watchPeerEvents } from './progress-events.js';
import { formatBytes, formatElapsed, plural } from './progress-format.js';
import { SharePeerProgress } from './share-peer-progress.js';
import { escapeTerminal } from './terminal-text.js';

/** What the reporter reads: the share's identity, peer-* events, and snapshots. */
export interface ShareSource extends EventEmitter {
  readonly magnet: string;
  readonly infoHash: string;
  readonly name: string;
  readonly length: number;
  snapshot(): ShareSnapshot;
}

export interface ShareReporterOptions {
  isJson: boolean;
  nameOf(keyText: string): string | undefined;
}

const STATUS_INTERVAL_MS = 1000;

export class ShareReporter {
  private tick: NodeJS.Timeout | undefined;
  private status: ShareStatus | undefined;
  private readonly progress: SharePeerProgress;
  private readyAtMs = 0;

  constructor(private readonly source: ShareSource, private readonly options: ShareReporterOptions) {
    this.progress = new SharePeerProgress(source.length, options.nameOf);
  }

  /** The share is listening on `port`: the magnet (or `ready`), then peer events and status until stop(). */
  ready(port: number): void {
    const { source, options } = this;
    this.readyAtMs = Date.now();
    if (options.isJson) {
      printJsonLine({ event: 'ready', magnet: source.magnet, port, infoHash: source.infoHash, name: source.name, length: source.length });
    } else {
      process.stdout.write(`${source.magnet}\n`);
      process.stderr.write(`sharing ${escapeTerminal(source.name)} on port ${port}; give the magnet link above to a trusted friend. Ctrl-C stops.\n`);
    }
    const status = (this.status = new ShareStatus(process.stderr, !options.isJson));
    watchPeerEvents(source, options.nameOf, options.isJson, (line) => status.printAbove(line));
    source.on('peer-connected', ({ key }: { key: string }) => {
      this.progress.connected(key, Date.now());
      if (!options.isJson && this.tick) status.printAbove(`${escapeTerminal(this.progress.displayName(key))} connected`);
    });
    source.on('peer-disconnected', ({ key }: { key: string }) => {
      if (options.isJson || !this.tick) return;
      const traffic = source.snapshot().traffic.find((peer) => peer.key === key);
      const word = traffic && this.progress.progressWord(traffic);
      const far = traffic ? ` (had ${word === 'done' ? 'all' : word} of ${escapeTerminal(source.name)}; sent ${formatBytes(traffic.sent)})` : '';
      const why = this.progress.wasRemoved(key) ? ': removed from your trust list' : '';
      status.printAbove(`${escapeTerminal(this.progress.displayName(key))} left${why}${far}`);
    });
    source.on('file-changed', (change: FileChange) => {
      if (options.isJson) printJsonLine({ event: 'file-changed', path: change.path, reason: change.reason });
      else status.printAbove(`${escapeTerminal(change.path)} changed on disk since it was shared (${escapeTerminal(change.reason)}); no longer serving it. Share it again for a new link.`);
    });
    this.tick = setInterval(() => this.showStatus(), STATUS_INTERVAL_MS);
  }

  private showStatus(): void {
    const { source, options } = this;
    const snap = source.snapshot();
    for (const finish of this.progress.update(snap.traffic, Date.now())) {
      const seconds = Math.round(finish.elapsedMs / 1000);
      if (options.isJson) printJsonLine({ event: 'peer-finished', key: finish.key, name: options.nameOf(finish.key), bytes: finish.bytes, seconds });
      else this.status?.printAbove(`${escapeTerminal(finish.name)} finished ${escapeTerminal(source.name)} (${formatBytes(finish.bytes)}) in ${formatElapsed(finish.elapsedMs)}`);
    }
    this.status?.update(snap.peers, snap.uploaded, snap.uploadSpeed, this.progress.summary(snap.traffic));
    if (options.isJson) printJsonLine({ event: 'status', peers: snap.peers, uploaded: snap.uploaded, traffic: snap.traffic });
  }

  /** Stops the status line; safe to call more than once. */
  stop(): void {
    if (!this.tick) return;
    clearInterval(this.tick);
    this.tick = undefined;
    this.status?.stop();
  }

  /** Ctrl-C: stop, then the closing line (or a `stopped` event): how long, how much, to how many. */
  stopped(): void {
    this.stop();
    const snap = this.source.snapshot();
    const elapsedMs = Date.now() - this.readyAtMs;
    const servedPeers = snap.traffic.filter((peer) => peer.sent > 0).length;
    if (this.options.isJson) {
      printJsonLine({ event: 'stopped', uploaded: snap.uploaded, peers: servedPeers, seconds: Math.round(elapsedMs / 1000) });
      return;
    }
    process.stderr.write(`stopped sharing ${escapeTerminal(this.source.name)} after ${formatElapsed(elapsedMs)}; uploaded ${formatBytes(snap.uploaded)} to ${plural(servedPeers, 'peer')}\n`);
  }
}
