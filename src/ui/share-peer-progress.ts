/**
 * Who is fetching a share and how far each is, from the share's snapshots: the words for
 * the status line (`bob 45%, carol done`) and the moment each getter finishes (`bob
 * finished big.bin (191 MiB) in 42 s`). Pure bookkeeping over PeerTraffic; ShareReporter
 * prints what it returns.
 */
import type { PeerTraffic } from '../share/torrent-peers.js';
import { decodeKeyText, fingerprint } from '../identity/key-text.js';

/** A getter that has every piece now, having been short of some while linked to us. */
export interface PeerFinish {
  key: string;
  name: string;
  bytes: number;
  elapsedMs: number;
}

/** At most this many peers are named in the status line; the rest are "+N more". */
export const MAX_NAMED_PEERS = 3;
/** Trusted names remembered per key (the trust list is the bound in practice; this caps it anyway). */
const MAX_REMEMBERED_NAMES = 4096;

export class SharePeerProgress {
  private readonly firstSeenAtMs = new Map<string, number>();
  private readonly finished = new Set<string>();
  /** Names seen per key: a key removed from the trust list mid-share is still called what it was. */
  private readonly knownNames = new Map<string, string>();

  constructor(
    private readonly totalBytes: number,
    private readonly nameOf: (keyText: string) => string | undefined,
  ) {}

  /** The trust store's name, else the short fingerprint (key text from a link is valid; anything else is shown as is). */
  displayName(keyText: string): string {
    const name = this.nameOf(keyText);
    if (name !== undefined) {
      if (this.knownNames.size < MAX_REMEMBERED_NAMES || this.knownNames.has(keyText)) this.knownNames.set(keyText, name);
      return name;
    }
    const earlier = this.knownNames.get(keyText);
    if (earlier !== undefined) return earlier;
    try {
      return fingerprint(decodeKeyText(keyText));
    } catch {
      return keyText;
    }
  }

  /** The key had a name here earlier and has none now: it was removed from the trust list. */
  wasRemoved(keyText: string): boolean {
    return this.knownNames.has(keyText) && this.nameOf(keyText) === undefined;
  }

  connected(keyText: string, nowMs: number): void {
    this.displayName(keyText);
    if (!this.firstSeenAtMs.has(keyText)) this.firstSeenAtMs.set(keyText, nowMs);
  }

  /**
   * Peers that finished since the last call. Only a peer we uploaded to counts (a seeder
   * that arrives complete did not "finish" here), and each finishes once per run.
   */
  update(traffic: readonly PeerTraffic[], nowMs: number): PeerFinish[] {
    const finishes: PeerFinish[] = [];
    for (const peer of traffic) {
      if (this.finished.has(peer.key) || !this.isComplete(peer) || peer.sent === 0) continue;
      this.finished.add(peer.key);
      const since = this.firstSeenAtMs.get(peer.key) ?? nowMs;
      finishes.push({ key: peer.key, name: this.displayName(peer.key), bytes: this.totalBytes, elapsedMs: nowMs - since });
    }
    return finishes;
  }

  /** How far a peer is: "45%", or "done". */
  progressWord(peer: PeerTraffic): string {
    if (this.isComplete(peer)) return 'done';
    if (this.totalBytes <= 0) return '0%';
    return `${Math.floor((100 * (peer.hasBytes ?? 0)) / this.totalBytes)}%`;
  }

  /** The connected peers for the status line: `bob 45%, carol done, +2 more` ('' with nobody). */
  summary(traffic: readonly PeerTraffic[]): string {
    const linked = traffic.filter((peer) => peer.connected);
    const named = linked.slice(0, MAX_NAMED_PEERS).map((peer) => `${this.displayName(peer.key)} ${this.progressWord(peer)}`);
    if (linked.length > MAX_NAMED_PEERS) named.push(`+${linked.length - MAX_NAMED_PEERS} more`);
    return named.join(', ');
  }

  private isComplete(peer: PeerTraffic): boolean {
    return this.totalBytes > 0 && (peer.hasBytes ?? 0) >= this.totalBytes;
  }
}
