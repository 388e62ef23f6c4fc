// Liveness of secure links over real TCP: a path that dies silently (a relay that stops
// forwarding without closing anything) is noticed on both ends within the link timeout;
// an idle link, and a link whose reader stopped reading while the sender is blocked on
// backpressure, are alive and stay open; a probe tells a live link from a dead one.
import { describe, expect, it } from 'vitest';
import { linkTimeoutFromEnv, DEFAULT_LINK_TIMEOUT_MS } from '../../src/net/link-liveness.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { startBlackholeRelay } from '../helpers/blackhole-relay.js';
import { createNodes, waitFor } from '../helpers/test-nodes.js';

const TIMEOUT_MS = 1200;

/** alice dials bob through a relay; returns both ends of the chat link. */
async function linkThroughRelay(linkTimeoutMs = TIMEOUT_MS) {
  const [alice, bob] = await createNodes(2, { node: { linkTimeoutMs } });
  let atBob: PeerLink | undefined;
  bob!.node.handle('chat', (link) => void (atBob = link));
  const relay = await startBlackholeRelay({ host: '127.0.0.1', port: bob!.port });
  const atAlice = await alice!.node.connect(relay.host, relay.port, 'chat');
  await waitFor(() => atBob !== undefined, 5000, 'bob has the link');
  return { alice: alice!, bob: bob!, relay, atAlice, atBob: atBob! };
}

const closed = (link: PeerLink) => new Promise<void>((resolve) => (link.stream.destroyed ? resolve() : link.stream.once('close', () => resolve())));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('link liveness', () => {
  it('closes both ends of a link whose path went silent, as LINK_TIMEOUT', async () => {
    const { relay, atAlice, atBob } = await linkThroughRelay();
    relay.blackhole();
    // Without liveness, TCP would keep both ends open for many minutes: the test times out.
    await Promise.all([closed(atAlice), closed(atBob)]);
    expect(atAlice.closeError()).toMatchObject({ code: 'LINK_TIMEOUT' });
    expect(atBob.closeError()).toMatchObject({ code: 'LINK_TIMEOUT' });
  }, 20_000);

  it('keeps an idle link open for many timeouts, then carries data', async () => {
    const { atAlice, atBob } = await linkThroughRelay();
    await sleep(TIMEOUT_MS * 4);
    expect(atAlice.stream.destroyed || atBob.stream.destroyed).toBe(false);
    const got = new Promise<string>((resolve) => atBob.stream.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    atAlice.stream.write(Buffer.from('still here'));
    expect(await got).toBe('still here');
  }, 20_000);

  it('keeps an idle link open between nodes with very different timeouts (the short side pings)', async () => {
    const [patient] = await createNodes(1, { node: { linkTimeoutMs: 600_000 } });
    const [hasty] = await createNodes(1, { node: { linkTimeoutMs: TIMEOUT_MS } });
    patient!.trust.add(hasty!.identity);
    hasty!.trust.add(patient!.identity);
    let atPatient: PeerLink | undefined;
    patient!.node.handle('chat', (link) => void (atPatient = link));
    const atHasty = await hasty!.node.connect('127.0.0.1', patient!.port, 'chat');
    await sleep(TIMEOUT_MS * 4);
    expect(atHasty.closeError()).toBeUndefined();
    expect(atHasty.stream.destroyed || atPatient!.stream.destroyed).toBe(false);
  }, 20_000);

  it('does not kill a link whose reader paused while the sender is blocked on backpressure', async () => {
    const { atAlice, atBob } = await linkThroughRelay();
    atBob.stream.pause();
    const chunk = Buffer.alloc(64 * 1024, 7);
    let written = 0;
    let isBlocked = false;
    // Fill every buffer on the way until alice's writes wait for a 'drain' that does not come (bounded).
    for (let round = 0; round < 64 && !isBlocked; round++) {
      for (let i = 0; i < 64; i++) {
        written += chunk.length;
        if (!atAlice.stream.write(chunk)) break;
      }
      const drained = await Promise.race([new Promise((resolve) => atAlice.stream.once('drain', () => resolve(true))), sleep(500).then(() => false)]);
      isBlocked = !drained;
    }
    expect(isBlocked).toBe(true);
    await sleep(TIMEOUT_MS * 4);
    expect(atAlice.stream.destroyed || atBob.stream.destroyed).toBe(false);
    let received = 0;
    atBob.stream.on('data', (data: Buffer) => (received += data.length));
    atBob.stream.resume();
    await waitFor(() => received === written, 15_000, 'every byte after resuming');
    expect(atAlice.closeError() ?? atBob.closeError()).toBeUndefined();
  }, 30_000);

  it('a probe answers true on a live link and closes a dead one', async () => {
    const { relay, atAlice, atBob } = await linkThroughRelay(60_000);
    expect(await atAlice.probe(1000)).toBe(true);
    expect(atAlice.stream.destroyed).toBe(false);
    relay.blackhole();
    expect(await atBob.probe(500)).toBe(false);
    expect(atBob.stream.destroyed).toBe(true);
    expect(atBob.closeError()).toMatchObject({ code: 'LINK_TIMEOUT' });
  }, 20_000);

  it('reads the timeout from SWARM_LINK_TIMEOUT_MS, clamped, defaulting when unusable', () => {
    expect(linkTimeoutFromEnv({ SWARM_LINK_TIMEOUT_MS: '4000' })).toBe(4000);
    expect(linkTimeoutFromEnv({ SWARM_LINK_TIMEOUT_MS: '5' })).toBe(300);
    expect(linkTimeoutFromEnv({ SWARM_LINK_TIMEOUT_MS: 'soon' })).toBe(DEFAULT_LINK_TIMEOUT_MS);
    expect(linkTimeoutFromEnv({})).toBe(DEFAULT_LINK_TIMEOUT_MS);
  });
});
