/**
 * The request pipeline sized to the link (issue 10), over a real long link: share and get
 * in one process over SwarmNodes (Noise, the production link path, real webtorrent), the
 * getter reaching the sharer only through bench/delay-relay.mjs, which holds every chunk
 * 40 ms each way (80 ms round trip). At the 1 MB/s floor the pipeline keeps ~33 blocks in
 * flight, which over 80 ms caps a link near 6.6 MB/s; sized by rate x RTT it must grow past
 * that. The relay makes every round trip at least 80 ms, so the measured RTT cannot be less.
 */
import type { Torrent } from 'webtorrent';
import { describe, expect, it } from 'vitest';
import { LinkMeter, PIPELINE_FLOOR_BYTES_PER_SECOND, type MeteredWire } from '../../src/share/link-pipeline.js';
import { relayedGet } from './relayed-get-fixture.js';

const ONE_WAY_DELAY_MS = 40;
const FLOOR_BLOCKS = 2 + Math.ceil((0.5 * PIPELINE_FLOOR_BYTES_PER_SECOND) / (16 * 1024));

interface LinkOptions {
  isSuperSeeding: boolean;
  pieceLength: number;
  fileBytes?: number;
  oneWayDelayMs?: number;
  rateBytesPerSecond?: number;
}

/**
 * Shares a file (24 MiB) and gets it through a relay (80 ms round trip); returns the getter's
 * one wire, the most requests it had in flight, and how many bytes it had received when its
 * requests in flight first reached `inFlightMark` blocks.
 */
async function getOverLongLink(options: LinkOptions, inFlightMark = Infinity): Promise<{ wire: MeteredWire; maxInFlight: number; receivedAtMark?: number }> {
  const { fileBytes = 24 * 1024 * 1024, oneWayDelayMs = ONE_WAY_DELAY_MS, ...rest } = options;
  const { getter, relay, isIntact } = await relayedGet({ fileBytes, oneWayDelayMs, ...rest });

  // The session keeps its torrent private; the test holds on to the one wire to read its meter.
  const wires = new Set<MeteredWire>();
  let maxInFlight = 0;
  let receivedAtMark: number | undefined;
  const watch = setInterval(() => {
    for (const wire of (getter as unknown as { torrent?: Torrent }).torrent?.wires ?? []) {
      wires.add(wire as MeteredWire);
      const inFlight = (wire as MeteredWire & { requests: unknown[] }).requests.length;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight >= inFlightMark && receivedAtMark === undefined) receivedAtMark = wire.downloaded;
    }
  }, 20);
  try {
    await getter.run();
  } finally {
    clearInterval(watch);
  }
  expect(isIntact()).toBe(true);
  expect(relay.connections).toBeGreaterThanOrEqual(1);
  expect(wires.size).toBe(1);
  return { wire: [...wires][0]!, maxInFlight, receivedAtMark };
}

describe('request pipeline over an 80 ms link', () => {
  it('measures the round trip, grows past the floor, and feeds the real speed meter', async () => {
    const { wire, maxInFlight } = await getOverLongLink({ isSuperSeeding: false, pieceLength: 256 * 1024 });
    const meter = wire.linkMeter!;
    expect(meter).toBeInstanceOf(LinkMeter);
    expect(meter.rttMs()).toBeGreaterThanOrEqual(2 * ONE_WAY_DELAY_MS);
    expect(meter.srttMs).toBeGreaterThanOrEqual(2 * ONE_WAY_DELAY_MS);
    expect(meter.rateBytesPerSecond()).toBeGreaterThan(0);
    expect(wire.measuredDownloadSpeed!()).toBeGreaterThan(0); // the speed bug left this at 0
    expect(meter.pipelineBlocks()).toBeGreaterThan(FLOOR_BLOCKS);
    expect(wire.downloadSpeed()).toBeGreaterThan(PIPELINE_FLOOR_BYTES_PER_SECOND);
    expect(maxInFlight).toBeGreaterThan(FLOOR_BLOCKS + 2);
  }, 60_000);

  it('on a capped long link, requests in flight reach the bandwidth-delay product early in the transfer', async () => {
    // 4 MB/s over a 400 ms round trip: a BDP of 98 blocks, beyond the 64 webtorrent keeps at
    // the floor. Counted in bytes received, not in time, so a busy machine cannot fail it.
    const rateBytesPerSecond = 4_000_000;
    const bdpBlocks = Math.ceil((rateBytesPerSecond * 0.4) / (16 * 1024));
    const fileBytes = 12 * 1024 * 1024;
    const { wire, maxInFlight, receivedAtMark } = await getOverLongLink(
      { isSuperSeeding: false, pieceLength: 256 * 1024, fileBytes, oneWayDelayMs: 200, rateBytesPerSecond }, bdpBlocks);
    expect(maxInFlight).toBeGreaterThanOrEqual(bdpBlocks);
    expect(maxInFlight).toBeGreaterThan(2 * FLOOR_BLOCKS - 2);
    expect(receivedAtMark).toBeLessThan(fileBytes / 3);
    expect(wire.linkMeter!.rttMs()).toBeGreaterThanOrEqual(400);
  }, 90_000);

  it('a super-seeding sharer offers more than 8 pieces at a time when the link needs it', async () => {
    // 64 KiB pieces: 8 offered pieces allow at most 32 blocks in flight, under the pipeline's floor.
    const { maxInFlight } = await getOverLongLink({ isSuperSeeding: true, pieceLength: 64 * 1024 });
    expect(maxInFlight).toBeGreaterThan(8 * 4);
  }, 60_000);
});

describe('LinkMeter', () => {
  it('sizes the pipeline by the smallest recent round trip, not by queueing it causes', () => {
    let nowMs = 0;
    const meter = new LinkMeter(() => nowMs);
    expect(meter.pipelineBlocks()).toBe(FLOOR_BLOCKS); // nothing measured yet
    // 10 MB/s for 2 s over an 80 ms link; samples alternate 80 ms and 400 ms (queued at the sender).
    for (let i = 0; i < 1220; i++) {
      nowMs += 1.6384; // one 16 KiB block per 1.64 ms = 10 MB/s
      meter.onBlock(nowMs - (i % 2 === 0 ? 80 : 400), 16 * 1024);
    }
    expect(meter.rttMs()).toBe(80);
    expect(meter.srttMs).toBeGreaterThan(80);
    expect(meter.rateBytesPerSecond()).toBeCloseTo(10_000_000, -5);
    // 2 x 10 MB/s x 0.08 s / 16 KiB = 98 blocks
    expect(meter.pipelineBlocks()).toBe(Math.ceil((2 * meter.rateBytesPerSecond() * 0.08) / 16384));
  });

  it('knows the rate of the first burst one round trip after it left, however long the wire was open before', () => {
    let nowMs = 1_000;
    const meter = new LinkMeter(() => nowMs);
    nowMs = 3_000; // 2 s of handshakes and metadata later, the first 64 requests leave at once
    const stamps = Array.from({ length: 64 }, () => meter.stampRequest());
    nowMs += 200; // one round trip
    for (const stamp of stamps) {
      meter.onBlock(stamp, 16 * 1024);
      nowMs += 0.5;
    }
    const burstRate = (64 * 16 * 1024 * 1000) / (200 + 63 * 0.5);
    expect(meter.rateBytesPerSecond()).toBeCloseTo(burstRate, -3);
    // 2 x the burst: the pipeline doubles per round trip from the first one (slow start).
    expect(meter.pipelineBlocks()).toBe(Math.ceil((2 * burstRate * 0.2) / 16384));
    expect(meter.pipelineBlocks()).toBeGreaterThan(100);
  });

  it('remembers what a fast link carried even when its whole burst ended inside one rate interval', () => {
    let nowMs = 0;
    const meter = new LinkMeter(() => nowMs);
    const first = meter.stampRequest(); // one block early on: a 2 ms round trip
    nowMs = 2;
    meter.onBlock(first, 16 * 1024);
    nowMs = 1_000; // long past its opening round trips: only whole intervals count for the pipeline
    const stamps = Array.from({ length: 16 }, () => meter.stampRequest());
    nowMs += 2; // a LAN round trip
    for (const stamp of stamps) {
      meter.onBlock(stamp, 16 * 1024);
      nowMs += 0.1;
    }
    // 256 KiB in ~3.5 ms after a second of nothing: the interval estimate says ~0.3 MB/s, yet
    // end game must rate it by what it carried.
    expect(meter.lastBusyRateBytesPerSecond).toBeGreaterThan(5_000_000);
  });

  it('stays within its ceiling on a fat long link', () => {
    let nowMs = 0;
    const meter = new LinkMeter(() => nowMs);
    for (let i = 0; i < 20_000; i++) {
      nowMs += 0.1; // 160 MB/s
      meter.onBlock(nowMs - 200, 16 * 1024);
    }
    expect(meter.pipelineBlocks()).toBe(1024);
  });
});
