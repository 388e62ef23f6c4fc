// A getter whose path to the sharer dies silently mid-transfer (a relay stops forwarding
// without closing anything, as roaming, NAT rebinding or sleep do) and who comes back
// from another source address: it notices the dead link, redials, the sharer replaces
// the dead link it still holds with the new one, and the download completes. Before
// liveness the getter hung on the dead link forever; before replacement the sharer
// refused the new link ("duplicate connection") and get gave up.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startBlackholeRelay } from '../helpers/blackhole-relay.js';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile } from '../share/cli-peers.js';

const MiB = 1024 * 1024;

describe('roaming getter', () => {
  it('resumes and completes after its path dies silently and it returns from another address', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'trip.bin');
    const size = 8 * MiB;
    writeFileSync(source, randomBytes(size));
    // The sharer would hold a dead link for 10 minutes on its own: only replacement lets bob back in.
    const sharer = new CliProcess(['share', source, '--host', '127.0.0.1', '--port', '0', '--json', '--upload-limit', '1M'], {
      home: alice!.home,
      env: cliEnv(alice!.home, { SWARM_LINK_TIMEOUT_MS: '600000' }),
    });
    const ready = await sharer.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready');
    const relay = await startBlackholeRelay({ host: '127.0.0.1', port: Number(ready.port) }, { sourceAddress: '127.0.0.2' });
    const magnet = String(ready.magnet).replace(/x\.pe=[^&]+/, `x.pe=127.0.0.1%3A${relay.port}`);
    const getter = new CliProcess(['get', magnet, '-o', join(dir, 'out'), '--host', '127.0.0.1', '--json'], {
      home: bob!.home,
      env: cliEnv(bob!.home, { SWARM_LINK_TIMEOUT_MS: '2000' }),
    });
    await getter.waitForEvent((e) => e.event === 'progress' && Number(e.verified) >= 2 * MiB, 30_000, '2 MiB verified');
    relay.sourceAddress = '127.0.0.3';
    relay.blackhole();
    const done = await getter.waitForEvent((e) => e.event === 'done', 60_000, 'done');
    expect(await getter.exited).toBe(0);
    expect(sameFile(source, join(dir, 'out', 'trip.bin'))).toBe(true);
    expect(Number(done.received)).toBeLessThan(size + 2 * MiB);
    expect(relay.accepted).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
