// A trusted peer turned hostile floods `swarm chat` with 8 KiB signed messages (from the
// real node and codec: test/chat/helpers/forging-relay.ts). The victim V, a real process
// with a 1 MiB history cap, keeps its history under the cap, drops the excess (telling
// its user once), relays only what passed its rate limit to honest H, still gets H's
// messages through, and restarts quickly with its history intact.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageKind, signMessage } from '../../src/chat/chat-message.js';
import { allTrusting, makePeople, messageEvents, pause, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';
import { ForgingRelay } from '../chat/helpers/forging-relay.js';

const NAMES = ['v', 'h', 'm'] as const;
const CAP_BYTES = 1024 * 1024;
const FLOOD_MESSAGES = 1500; // 12 MiB of bodies
const relays: ForgingRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
});

describe('swarm chat under a flood from a trusted author', () => {
  it('keeps history under the cap, relays no flood, lets honest messages through, restarts with its history', async () => {
    const people = makePeople(NAMES, allTrusting(NAMES));
    const m = await ForgingRelay.start(people.m);
    relays.push(m);
    const v = await startChat(people.v, { peers: [m.port], args: ['--history-max', '1M'] });
    // H accepts anything (no limit of its own): what it gets of M is what V relayed.
    const h = await startChat(people.h, { peers: [v.port], args: ['--author-rate', '100000', '--author-bandwidth', '1G'] });
    await m.waitForLink(people.v);
    await waitForPeers(v.process, 2);

    const body = new Uint8Array(8192).fill(0x41);
    const startSeq = Date.now() * 1000;
    let sent = 0;
    const floodWave = async (count: number) => {
      for (const end = sent + count; sent < end; sent++) {
        const message = signMessage({ author: people.m.identity.publicKey, seq: startSeq + sent, ts: Date.now(), kind: MessageKind.Public, body }, people.m.identity.secretKey);
        m.sendTo(people.v, message.encoded);
        if (sent % 50 === 49) await pause(1);
      }
    };
    await floodWave(FLOOD_MESSAGES / 3);
    h.process.send('honest during the flood');
    await floodWave(FLOOD_MESSAGES / 3);
    h.process.send('honest still');
    await floodWave(FLOOD_MESSAGES / 3);
    h.process.send('honest after the flood');
    await waitForMessage(v.process, 'honest during the flood');
    await waitForMessage(v.process, 'honest still');
    await waitForMessage(v.process, 'honest after the flood', 30_000);

    // V said once that M is over its limit, and showed (and relayed) only a fraction.
    const notices = v.process.events.filter((e) => e.event === 'rate-limited');
    expect(notices).toEqual([expect.objectContaining({ event: 'rate-limited', name: 'm', key: people.m.identity.keyText })]);
    const floodAtV = messageEvents(v.process).filter((e) => e.name === 'm').length;
    expect(floodAtV).toBeGreaterThan(0);
    expect(floodAtV).toBeLessThan(FLOOD_MESSAGES / 4);
    // A marker from V after the flood: everything V relayed to H before it has arrived.
    v.process.send('marker from v');
    await waitForMessage(h.process, 'marker from v');
    const floodAtH = messageEvents(h.process).filter((e) => e.name === 'm').length;
    expect(floodAtH).toBeLessThanOrEqual(floodAtV);

    const historyPath = join(people.v.home, 'chat-history.jsonl');
    await pause(100); // the last batch of lines is written on the next turn
    expect(statSync(historyPath).size).toBeLessThanOrEqual(CAP_BYTES);

    expect(await v.process.stop('SIGINT')).toBe(0);
    expect(statSync(historyPath).size).toBeLessThanOrEqual(CAP_BYTES);
    const v2 = await startChat(people.v, { port: v.port, peers: [m.port], args: ['--history-max', '1M'] });
    const shown = messageEvents(v2.process).filter((e) => e.history);
    // The marker is shown; anything after it can only be M's flood, whose queued records V
    // still reads (at its limit) after the marker went out.
    const markerAt = shown.findIndex((e) => e.name === 'me' && e.text === 'marker from v');
    expect(markerAt).toBeGreaterThanOrEqual(0);
    expect(shown.slice(markerAt + 1).every((e) => e.name === 'm')).toBe(true);
    expect(shown.map((e) => e.text)).toContain('honest after the flood');
    // H redials V's address by itself.
    await h.process.waitForEvent(() => h.process.events.filter((e) => e.event === 'peer-join').length === 2, 20_000, 'H back');
    h.process.send('after the restart');
    await waitForMessage(v2.process, 'after the restart');
  });
});
