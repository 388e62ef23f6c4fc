import { describe, expect, it } from 'vitest';
import { LinkThrottle, MAX_DROPS_PER_WINDOW } from '../../src/chat/link-throttle.js';
import { ChatLink } from '../../src/chat/chat-link.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { createStreamxDuplex } from '../../src/secure/streamx-duplex.js';

describe('a link that keeps bringing over-limit messages', () => {
  it('is paused at the threshold and read again after the pause', async () => {
    const calls: string[] = [];
    const stream = createStreamxDuplex({});
    const [pause, resume] = [stream.pause.bind(stream), stream.resume.bind(stream)];
    stream.pause = () => (calls.push('pause'), pause());
    stream.resume = () => (calls.push('resume'), resume());
    const peer: PeerLink = {
      remoteKey: new Uint8Array(32), remoteKeyText: 'k', channel: 'chat', remoteHost: '127.0.0.1', remotePort: 1, isInitiator: false,
      stream, close: () => stream.destroy(), closeError: () => undefined, probe: async () => true,
    };
    const link = new ChatLink(peer, { onRecord: () => {}, onClose: () => {} });
    let nowMs = 0;
    const throttle = new LinkThrottle(() => nowMs);
    for (let i = 0; i < MAX_DROPS_PER_WINDOW - 1; i++) throttle.dropped(link);
    nowMs += 2000; // the window passed: the count starts again
    for (let i = 0; i < MAX_DROPS_PER_WINDOW - 1; i++) throttle.dropped(link);
    expect(calls).toEqual([]);
    throttle.dropped(link);
    expect(calls).toEqual(['pause']);
    expect(link.isPaused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(calls).toEqual(['pause', 'resume']);
    expect(link.isPaused).toBe(false);
  });
});
