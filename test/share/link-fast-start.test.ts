/**
 * Start-up round trips of a get over a long link (issue 10): share and get in one process
 * over SwarmNodes (Noise, the production link path, real webtorrent), the getter reaching
 * the sharer only through bench/delay-relay.mjs with a 400 ms round trip, long beside the
 * CPU time of each step, so the times below are counted in round trips. webtorrent alone
 * needs, after the link opens: the sharer's extended handshake (+1), the metadata asked
 * for (+1), the unchoke `interested` asks for (+1), then a single probe request, and the
 * rest of the pipeline only once that block is in (+1). Each step is checked by what
 * arrives together (same flight) or by counts, with half a round trip (200 ms) of slack for CPU.
 */
import { randomBytes } from 'node:crypto';
import type { Torrent, Wire } from 'webtorrent';
import { describe, expect, it } from 'vitest';
import { metadataDataMessage } from '../../src/share/link-fast-start.js';
import { PIPELINE_FLOOR_BYTES_PER_SECOND } from '../../src/share/link-pipeline.js';
import { relayedGet } from './relayed-get-fixture.js';

const ONE_WAY_DELAY_MS = 200;
const RTT_MS = 2 * ONE_WAY_DELAY_MS;
const FLOOR_BLOCKS = 2 + Math.ceil((0.5 * PIPELINE_FLOOR_BYTES_PER_SECOND) / (16 * 1024));

interface Opening {
  wireMs: number;
  extendedHandshakeMs?: number;
  unchokeMs?: number;
  metadataMs?: number;
  firstRequestMs?: number;
  firstBlockMs?: number;
  requestsBeforeFirstBlock: number;
}

async function getAndWatchOpening(fileBytes: number): Promise<Opening> {
  const { getter, isIntact } = await relayedGet({ fileBytes, oneWayDelayMs: ONE_WAY_DELAY_MS, isSuperSeeding: false });

  let opening: Opening | undefined;
  const watchWire = (torrent: Torrent, wire: Wire) => {
    if (opening) return;
    const watched: Opening = { wireMs: performance.now(), requestsBeforeFirstBlock: 0 };
    opening = watched;
    wire.on('extended', (name: string) => name === 'handshake' && (watched.extendedHandshakeMs ??= performance.now()));
    wire.once('unchoke', () => (watched.unchokeMs ??= performance.now()));
    torrent.once('metadata', () => (watched.metadataMs ??= performance.now()));
    wire.once('download', () => (watched.firstBlockMs = performance.now()));
    const requesting = wire as Wire & { request(...args: unknown[]): void };
    const request = requesting.request.bind(requesting);
    requesting.request = (...args: unknown[]) => {
      watched.firstRequestMs ??= performance.now();
      if (watched.firstBlockMs === undefined) watched.requestsBeforeFirstBlock++;
      request(...args);
    };
  };
  // The session keeps its torrent private: catch it as soon as it exists (long before its first wire).
  const poll = setInterval(() => {
    const torrent = (getter as unknown as { torrent?: Torrent }).torrent;
    if (!torrent) return;
    clearInterval(poll);
    torrent.on('wire', (wire: Wire) => watchWire(torrent, wire));
  }, 1);
  try {
    await getter.run();
  } finally {
    clearInterval(poll);
  }
  expect(isIntact()).toBe(true);
  expect(opening).toBeDefined();
  return opening!;
}

describe('start-up over a 400 ms link', () => {
  it('the metadata and the unchoke come unasked with the extended handshake; the first request fills the pipeline', async () => {
    const opening = await getAndWatchOpening(4 * 1024 * 1024);
    const { wireMs, extendedHandshakeMs, unchokeMs, metadataMs, firstRequestMs, firstBlockMs } = opening;
    for (const at of [extendedHandshakeMs, unchokeMs, metadataMs, firstRequestMs, firstBlockMs]) expect(at).toBeDefined();
    // Same flight as the extended handshake (asking would take a round trip each).
    expect(metadataMs! - extendedHandshakeMs!).toBeLessThan(RTT_MS / 2);
    expect(unchokeMs! - extendedHandshakeMs!).toBeLessThan(RTT_MS / 2);
    // The link opened (the sharer's BitTorrent handshake arrived) at wireMs; its extended
    // handshake answers ours one round trip later, and the metadata is in by then (asked
    // for, it would take a second round trip). What follows until the first request is
    // CPU (the store is set up), not round trips, so it is not timed here.
    expect(metadataMs! - wireMs).toBeLessThan(1.5 * RTT_MS);
    expect(firstRequestMs!).toBeGreaterThanOrEqual(metadataMs!);
    // No one-block probe: the whole floor pipeline leaves before the first block is back.
    expect(opening.requestsBeforeFirstBlock).toBeGreaterThanOrEqual(FLOOR_BLOCKS);
  }, 60_000);
});

describe('metadataDataMessage', () => {
  it('is a BEP 9 data message: bencoded header with the total size, then the 16 KiB piece', () => {
    const info = randomBytes(40_000);
    const last = Buffer.from(metadataDataMessage(info, 2));
    const header = `d8:msg_typei1e5:piecei2e10:total_sizei40000ee`;
    expect(last.subarray(0, header.length).toString()).toBe(header);
    expect(last.subarray(header.length).equals(info.subarray(32_768))).toBe(true);
    expect(Buffer.from(metadataDataMessage(info, 0)).length).toBe(`d8:msg_typei1e5:piecei0e10:total_sizei40000ee`.length + 16_384);
  });
});
