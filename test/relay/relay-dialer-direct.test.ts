/**
 * RelayDialer prefers a direct path: a key dialled at two addresses at once (a magnet's
 * mapped address and its private one) where the second fails at once is not called through
 * the relay while the first is still under way and then succeeds; nor once a direct link
 * to the key is up. Real nodes on 127.0.0.1, a real RelayService.
 */
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../src/errors.js';
import { CHAT_CHANNEL } from '../../src/net/channel-name.js';
import { RelayDialer } from '../../src/relay/relay-dialer.js';
import { RelayRegistration } from '../../src/relay/relay-registration.js';
import { RelayService } from '../../src/relay/relay-service.js';
import { createNodes, waitFor, type TestNode } from '../helpers/test-nodes.js';

const CLOSED_PORT = 1;

describe('relay dialer: direct first', () => {
  it('a dead address of a key reached directly at another one does not go through the relay', async () => {
    const [relay, target, caller] = (await createNodes(3)) as [TestNode, TestNode, TestNode];
    const service = new RelayService(relay.node, relay.trust);
    const opened: unknown[] = [];
    service.on('stream-open', (event) => opened.push(event));
    const registration = new RelayRegistration(target.node, [{ host: '127.0.0.1', port: relay.port, key: relay.identity.publicKey }]);
    await waitFor(() => service.counts().registered === 1, 5000, 'registration');
    target.node.handle('chat', () => {});
    const dialer = new RelayDialer(caller.node, { relays: [{ host: '127.0.0.1', port: relay.port, key: relay.identity.publicKey }], headStartMs: 5_000 });
    const key = { expectedKey: target.identity.publicKey };
    const [good, dead] = await Promise.allSettled([dialer.connect('127.0.0.1', target.port, CHAT_CHANNEL, key), dialer.connect('127.0.0.1', CLOSED_PORT, CHAT_CHANNEL, key)]);
    expect(good.status).toBe('fulfilled');
    expect(dead.status).toBe('rejected');
    expect(hasErrorCode((dead as PromiseRejectedResult).reason, 'CONNECT_FAILED')).toBe(true);
    // And later, with the direct link up, another dead address is not relayed either.
    const later = await dialer.connect('127.0.0.1', CLOSED_PORT, CHAT_CHANNEL, key).catch((error: unknown) => error);
    expect(hasErrorCode(later, 'CONNECT_FAILED')).toBe(true);
    expect(opened).toEqual([]);
    expect(service.counts().relayedBytes).toBe(0);
    // Once the direct link is gone, the relay is the way again.
    (good as PromiseFulfilledResult<{ close(): void }>).value.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const relayed = await dialer.connect('127.0.0.1', CLOSED_PORT, CHAT_CHANNEL, key);
    expect(relayed.via).toBe(`127.0.0.1:${relay.port}`);
    relayed.close();
    registration.close();
  }, 30_000);
});
