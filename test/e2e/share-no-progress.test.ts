/**
 * A trusted sharer whose data never verifies, end to end: it has the metadata but no
 * pieces, and pushes piece messages nobody asked for. bittorrent-protocol counts them as
 * received and webtorrent discards them, so no hash check ever fails: before the
 * no-progress guard the getter waited for ever with "received" rising. Now it drops the
 * sharer and exits 1 saying it served bad pieces (not "check that the sharer is running").
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Wire } from 'webtorrent';
import { MIN_UNVERIFIED_BYTES } from '../../src/share/no-progress-guard.js';
import { tempDir } from '../helpers/temp-home.js';
import { startHostileSharer } from '../share/hostile-sharer.js';
import { join, makeUsers, startGetter } from '../share/cli-peers.js';

const BLOCK_BYTES = 16 * 1024;
const BLOCKS_PER_BURST = 32;
const BURST_EVERY_MS = 20;

type SendingWire = Wire & { piece(index: number, offset: number, block: Uint8Array): void };

/** Unrequested blocks of piece 0, a little over the guard's limit in all (bounded). */
function pushJunk(wire: SendingWire): void {
  let remaining = MIN_UNVERIFIED_BYTES / BLOCK_BYTES + 4 * BLOCKS_PER_BURST;
  const junk = randomBytes(BLOCK_BYTES);
  const timer = setInterval(() => {
    if (wire.destroyed || remaining <= 0) return clearInterval(timer);
    for (let i = 0; i < BLOCKS_PER_BURST && remaining > 0; i++, remaining--) wire.piece(0, (remaining % 16) * BLOCK_BYTES, junk);
  }, BURST_EVERY_MS);
}

describe('a sharer whose data never verifies', () => {
  it('is dropped, and get exits 1 saying it served bad pieces', async () => {
    const [mallory, bob] = makeUsers(['mallory', 'bob']);
    const sharer = await startHostileSharer(mallory!, { name: 'big.bin', data: randomBytes(1024 * 1024), pieceLength: 256 * 1024 }, false);
    // After the getter has had time to fetch the metadata (the junk is for a piece it then wants).
    sharer.torrent.on('wire', (wire: SendingWire) => setTimeout(() => pushJunk(wire), 1000));
    const getter = startGetter(bob!, sharer.magnet(), join(tempDir(), 'out'));
    const dropped = await getter.waitForEvent((e) => e.event === 'peer-dropped', 25_000, 'peer-dropped');
    expect(dropped.name).toBe('mallory');
    expect(String(dropped.reason)).toMatch(/^sent \d+ MiB of data that never verified$/);
    expect(await getter.exited).toBe(1);
    expect(getter.stderr).toMatch(/mallory served bad pieces and was dropped: it sent \d+ MiB of data that never verified/);
    expect(getter.stderr).not.toMatch(/check that the sharer is running/);
  }, 30_000);
});
