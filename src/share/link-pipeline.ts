/**
 * Request pipeline sized to the link (issue 10). webtorrent keeps between
 * 2 + 0.5 s x speed and 2 + 1 s x speed of 16 KiB requests in flight on a wire, with
 * `speed` the wire's `downloadSpeed()`, a 5 s sliding average that starts at zero. On a
 * long link that is far too slow to open up: every block waits a round trip, so a
 * 32-request pipeline over 80 ms carries ~6 MB/s whatever the link could do.
 *
 * Here each wire measures, from its own requests:
 * - the round-trip time: request sent -> block arrived. With a deep pipeline a sample
 *   also includes the time the block queued behind others at the sender, so the
 *   pipeline is sized from the smallest recent sample (a windowed minimum, as BBR does),
 *   not from the smoothed one (kept for reports): sizing from a delay the pipeline itself
 *   causes would grow it without end;
 * - the delivery rate, sampled per block as BBR does: the bytes delivered between a
 *   request's send and its block's arrival, over that time. A sample is valid one round
 *   trip after the first request (the last block of the first burst measures the whole
 *   burst), so the pipeline grows like TCP slow start from the first round trip; an
 *   interval estimate (bytes per interval of at least one round trip) started when the
 *   wire opened and took 2-3 round trips of handshake and metadata time to forget. The
 *   largest recent sample is used while the link opens (isOpening); after that, bytes per
 *   interval of at least one round trip (now counted from the first request), the largest
 *   of the recent intervals.
 * and wants rate x RTT (the bandwidth-delay product) x PIPELINE_GAIN in flight: the gain
 * leaves room for the rate to grow, since a pipeline can only measure what it carries.
 * The count is clamped to [floor, MAX_PIPELINE_BLOCKS] and reported to webtorrent as the
 * speed its formula turns into that many requests (webtorrent further caps it at the
 * peer's reqq). The real measured speed stays available as `measuredDownloadSpeed()`
 * (fair choker, end game).
 */
import type { Wire } from 'webtorrent';
import { replaceDownloadSpeed } from './webtorrent-internals.js';
import { MAX_QUEUED_REQUESTS } from './wire-request-limit.js';
import { BLOCK_BYTES } from '../secure/buffer-pool.js';

/** A wire's real download rate: downloadSpeed() itself is floored for pipelining (below). */
export const measuredSpeedOf = (wire: Pick<Wire, 'downloadSpeed' | 'measuredDownloadSpeed'>): number => (wire.measuredDownloadSpeed ?? wire.downloadSpeed)();
/**
 * A new wire, or one on a short link, is reported at least this fast: webtorrent then
 * keeps ~32 requests in flight, which fills loopback and LAN links from the first block.
 */
export const PIPELINE_FLOOR_BYTES_PER_SECOND = 1_000_000;
/** Our reqq: a peer of ours never queues more (and webtorrent honours the peer's reqq). */
export const MAX_PIPELINE_BLOCKS = MAX_QUEUED_REQUESTS;
const PIPELINE_GAIN = 2;
/** webtorrent refills a wire's pipeline when fewer than 2 + this x speed / block are in flight. */
const WEBTORRENT_MIN_DURATION_S = 0.5;
/** The minimum RTT is forgotten after this long (a route that got longer is noticed). */
const RTT_WINDOW_MS = 10_000;
/** Delivery-rate intervals last at least one RTT and at least this long. */
const MIN_RATE_INTERVAL_MS = 50;
const RATE_WINDOW_MS = 2_000;
const SRTT_WEIGHT = 1 / 8;
/** Round trips from the first request during which per-block rate samples count (slow start needs ~5 to reach 16 MiB). */
const OPENING_ROUND_TRIPS = 8;

type Now = () => number;

/**
 * A delivery rate that follows a link opening up: bytes per interval of at least one round
 * trip (and MIN_RATE_INTERVAL_MS), the largest of the last RATE_WINDOW_MS. A sliding
 * average over seconds (bittorrent-protocol's meters) lags far behind a growing pipeline.
 */
export class DeliveryRate {
  private intervalStartMs: number;
  private intervalBytes = 0;
  private readonly rates: { atMs: number; bytesPerSecond: number }[] = [];

  constructor(private readonly now: Now = () => performance.now()) {
    this.intervalStartMs = now();
  }

  /** Starts the first interval now (not when the meter was made: a wire's handshakes are no delivery time). */
  restart(): void {
    this.intervalStartMs = this.now();
    this.intervalBytes = 0;
  }

  add(bytes: number, rttMs = 0): void {
    const nowMs = this.now();
    this.intervalBytes += bytes;
    const elapsedMs = nowMs - this.intervalStartMs;
    if (elapsedMs < Math.max(rttMs, MIN_RATE_INTERVAL_MS)) return;
    this.rates.push({ atMs: nowMs, bytesPerSecond: (this.intervalBytes * 1000) / elapsedMs });
    this.intervalBytes = 0;
    this.intervalStartMs = nowMs;
    while (this.rates.length > 0 && nowMs - this.rates[0]!.atMs > RATE_WINDOW_MS) this.rates.shift();
  }

  /**
   * 0 before one full interval. Intervals are dropped only as new ones end, so an idle link
   * keeps its last ones; `maxAgeMs` counts only those that ended that recently.
   */
  bytesPerSecond(maxAgeMs = Infinity): number {
    const nowMs = this.now();
    let best = 0;
    for (const rate of this.rates) if (nowMs - rate.atMs <= maxAgeMs) best = Math.max(best, rate.bytesPerSecond);
    return best;
  }
}

/** What a block's delivery-rate sample is measured from: the state when its request left. */
export interface RequestStamp {
  sentAtMs: number;
  /** Bytes delivered on the wire before the request was sent, and when the last of them arrived. */
  deliveredBytes: number;
  lastDeliveryAtMs: number;
}

/**
 * The largest of the per-block delivery-rate samples of the last RATE_WINDOW_MS, kept as a
 * monotonic queue (O(1) per sample: it is read on every webtorrent re-plan).
 */
class SampledDeliveryRate {
  deliveredBytes = 0;
  lastDeliveryAtMs: number;
  private readonly samples: { atMs: number; bytesPerSecond: number }[] = [];

  constructor(private readonly now: Now) {
    this.lastDeliveryAtMs = now();
  }

  stamp(): RequestStamp {
    const nowMs = this.now();
    // Before any delivery, the clock starts at the send (not at the wire's creation).
    const lastDeliveryAtMs = this.deliveredBytes === 0 ? nowMs : this.lastDeliveryAtMs;
    return { sentAtMs: nowMs, deliveredBytes: this.deliveredBytes, lastDeliveryAtMs };
  }

  onBlock(stamp: RequestStamp, bytes: number): void {
    const nowMs = this.now();
    this.deliveredBytes += bytes;
    this.lastDeliveryAtMs = nowMs;
    // Measured from the earlier of the send and the last delivery before it (BBR's larger
    // of send and ack elapsed): bytes a stalled receiver had buffered do not inflate it.
    const elapsedMs = nowMs - Math.min(stamp.sentAtMs, stamp.lastDeliveryAtMs);
    if (elapsedMs <= 0) return;
    const bytesPerSecond = ((this.deliveredBytes - stamp.deliveredBytes) * 1000) / elapsedMs;
    while (this.samples.length > 0 && this.samples.at(-1)!.bytesPerSecond <= bytesPerSecond) this.samples.pop();
    this.samples.push({ atMs: nowMs, bytesPerSecond });
    while (nowMs - this.samples[0]!.atMs > RATE_WINDOW_MS) this.samples.shift();
  }

  /** 0 before the first block. */
  bytesPerSecond(): number {
    const nowMs = this.now();
    // The window's maximum: older samples may have aged out while later ones still count.
    while (this.samples.length > 0 && nowMs - this.samples[0]!.atMs > RATE_WINDOW_MS) this.samples.shift();
    return this.samples[0]?.bytesPerSecond ?? 0;
  }
}

/** One wire's RTT and delivery-rate estimates, and the pipeline depth they call for. */
export class LinkMeter {
  /** Smoothed RTT (EWMA, 1/8 per sample as TCP does); undefined before the first sample. */
  srttMs: number | undefined;
  /**
   * The delivery rate as of the last block: what the link carried while it was last busy.
   * The live estimates forget an idle link within seconds, and end game (end-game.ts) must
   * not take a peer that is idle at the tail for a slow one.
   */
  lastBusyRateBytesPerSecond = 0;
  private minRttMs = Infinity;
  private previousMinRttMs = Infinity;
  private rttWindowStartMs: number;
  private readonly rate: DeliveryRate;
  private readonly sampledRate: SampledDeliveryRate;
  private firstRequestAtMs: number | undefined;

  constructor(private readonly now: Now = () => performance.now()) {
    this.rttWindowStartMs = now();
    this.rate = new DeliveryRate(now);
    this.sampledRate = new SampledDeliveryRate(now);
  }

  /** Call as a request leaves; pass the stamp to onBlock when its block arrives. */
  stampRequest(): RequestStamp {
    if (this.firstRequestAtMs === undefined) {
      this.firstRequestAtMs = this.now();
      this.rate.restart();
    }
    return this.sampledRate.stamp();
  }

  /**
   * While the link opens (OPENING_ROUND_TRIPS from the first request) the per-block samples
   * size the pipeline: they know a burst's rate one round trip after it left. Then the
   * interval estimate alone: a per-block sample also credits to one round trip the blocks
   * a busy receiver had left waiting in its socket, and the largest of thousands of such
   * samples (seen at 20 ms under load) held 1,024 requests in flight for a BDP of ~50.
   */
  private isOpening(): boolean {
    const rttMs = this.rttMs();
    if (this.firstRequestAtMs === undefined || rttMs === undefined) return true;
    return this.now() - this.firstRequestAtMs < OPENING_ROUND_TRIPS * rttMs;
  }

  /**
   * A block arrived now with `bytes`, asked for at `sent` (a stamp from stampRequest, or the
   * send time alone: then only the interval estimate of the rate sees it).
   */
  onBlock(sent: RequestStamp | number, bytes: number): void {
    const nowMs = this.now();
    const sentAtMs = typeof sent === 'number' ? sent : sent.sentAtMs;
    if (typeof sent !== 'number') this.sampledRate.onBlock(sent, bytes);
    const sampleMs = Math.max(nowMs - sentAtMs, 0.01);
    this.srttMs = this.srttMs === undefined ? sampleMs : this.srttMs + SRTT_WEIGHT * (sampleMs - this.srttMs);
    if (nowMs - this.rttWindowStartMs >= RTT_WINDOW_MS) {
      this.previousMinRttMs = this.minRttMs;
      this.minRttMs = Infinity;
      this.rttWindowStartMs = nowMs;
    }
    this.minRttMs = Math.min(this.minRttMs, sampleMs);
    this.rate.add(bytes, this.rttMs());
    // Also the per-block samples: a burst that ends inside one rate interval (a fast peer on
    // loopback or a LAN) leaves no interval estimate, and end game took such a peer for one
    // that carries nothing (the slow-peer tail test timed out whenever that happened).
    this.lastBusyRateBytesPerSecond = Math.max(this.rateBytesPerSecond(), this.sampledRate.bytesPerSecond());
  }

  /** The round trip the pipeline is sized by: the smallest recent sample. */
  rttMs(): number | undefined {
    const rtt = Math.min(this.minRttMs, this.previousMinRttMs);
    return Number.isFinite(rtt) ? rtt : undefined;
  }

  /** The largest recent delivery rate (0 before the first sample). */
  rateBytesPerSecond(): number {
    const interval = this.rate.bytesPerSecond();
    return this.isOpening() ? Math.max(interval, this.sampledRate.bytesPerSecond()) : interval;
  }

  /** What the link delivers now (end-game.ts): 0 when no interval ended lately, unlike rateBytesPerSecond. */
  currentRateBytesPerSecond(): number {
    return this.rate.bytesPerSecond(RATE_WINDOW_MS);
  }

  /** Requests to keep in flight: rate x RTT x gain, in blocks, clamped. */
  pipelineBlocks(): number {
    const floor = floorBlocks();
    const rttMs = this.rttMs();
    if (rttMs === undefined) return floor;
    const bdpBlocks = Math.ceil((PIPELINE_GAIN * this.rateBytesPerSecond() * rttMs) / 1000 / BLOCK_BYTES);
    return Math.min(Math.max(bdpBlocks, floor), MAX_PIPELINE_BLOCKS);
  }
}

/** The pipeline webtorrent keeps at PIPELINE_FLOOR_BYTES_PER_SECOND. */
const floorBlocks = () => speedToBlocks(PIPELINE_FLOOR_BYTES_PER_SECOND);
const speedToBlocks = (bytesPerSecond: number) => 2 + Math.ceil((WEBTORRENT_MIN_DURATION_S * bytesPerSecond) / BLOCK_BYTES);
/** The speed webtorrent's formula turns into `blocks` requests in flight (at least). */
const blocksToSpeed = (blocks: number) => ((blocks - 2) * BLOCK_BYTES) / WEBTORRENT_MIN_DURATION_S;

export type MeteredWire = Wire & {
  linkMeter?: LinkMeter;
  request(index: number, offset: number, length: number, cb?: (error: Error | null, block?: Uint8Array) => void): void;
};

/**
 * Times every request of `wire` and makes the speed webtorrent's pipeline sees follow the
 * link's bandwidth-delay product. bittorrent-protocol records each block by calling
 * `downloadSpeed(bytes)`; that count is passed on to the real meter.
 */
export function sizePipelineToLink(wire: Wire, now: Now = () => performance.now()): LinkMeter {
  const metered = wire as MeteredWire;
  const meter = new LinkMeter(now);
  metered.linkMeter = meter;
  const request = metered.request.bind(metered);
  metered.request = (index, offset, length, cb) => {
    const stamp = meter.stampRequest();
    request(index, offset, length, (error, block) => {
      if (!error && block) meter.onBlock(stamp, block.length);
      cb?.(error, block);
    });
  };
  replaceDownloadSpeed(wire, (measure) => {
    metered.measuredDownloadSpeed = () => measure();
    return (bytes?: number) => {
      if (bytes !== undefined) return measure(bytes);
      const blocks = meter.pipelineBlocks();
      return blocks <= floorBlocks() ? PIPELINE_FLOOR_BYTES_PER_SECOND : blocksToSpeed(blocks);
    };
  });
  return meter;
}
