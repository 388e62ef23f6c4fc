/**
 * What `swarm share` shows: the magnet link on stdout and how to use it on stderr (or a
 * --json `ready` event), peer events, and once a second the status line on stderr (or a
 * --json `status` event with each key's traffic). share-command parses and starts the
 * share; this prints.
 */
import type { EventEmitter } from 'node:events';
import type { ShareSnapshot } from '../share/share-session.js';
import type { FileChange } from '../share/shared-file-watch.js';
import { printJsonLine } from './json-output.js';
import { showServingStatus } from './progress-display.js';
import { watchPeerEvents } from './progress-events.js';
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

export class ShareReporter {
  private stopStatus: (() => void) | undefined;

  constructor(private readonly source: ShareSource, private readonly options: ShareReporterOptions) {}

  /** The share is listening on `port`: the magnet (or `ready`), then peer events and status until stop(). */
  ready(port: number): void {
    const { source, options } = this;
    if (options.isJson) {
      printJsonLine({ event: 'ready', magnet: source.magnet, port, infoHash: source.infoHash, name: source.name, length: source.length });
    } else {
      process.stdout.write(`${source.magnet}\n`);
      process.stderr.write(`sharing ${escapeTerminal(source.name)} on port ${port}; give the magnet link above to a trusted friend. Ctrl-C stops.\n`);
    }
    watchPeerEvents(source, options.nameOf, options.isJson);
    source.on('file-changed', (change: FileChange) => {
      if (options.isJson) printJsonLine({ event: 'file-changed', path: change.path, reason: change.reason });
      else process.stderr.write(`${escapeTerminal(change.path)} changed on disk since it was shared (${escapeTerminal(change.reason)}); no longer serving it. Share it again for a new link.\n`);
    });
    this.stopStatus = showServingStatus(() => source.snapshot(), options.isJson, (snap) => {
      if (options.isJson) printJsonLine({ event: 'status', peers: snap.peers, uploaded: snap.uploaded, traffic: snap.traffic });
    });
  }

  /** Stops the status line; safe to call more than once. */
  stop(): void {
    this.stopStatus?.();
    this.stopStatus = undefined;
  }
}
