/**
 * The order relays are tried in for a key (relay-dialer.ts): the key's own (its magnet's
 * x.relay) first, then ours, then those found through relay hints in the DHT, which anyone
 * who can compute a share's hint key could have planted; at most MAX_FOUND_RELAYS_PER_KEY of
 * those are kept per key.
 */
import { describe, expect, it } from 'vitest';
import { MAX_FOUND_RELAYS_PER_KEY, orderRelays, RelayDialer } from '../../src/relay/relay-dialer.js';
import { createNodes } from '../helpers/test-nodes.js';

const at = (port: number) => ({ host: '127.0.0.9', port });

describe('relay order', () => {
  it('magnet relays, then ours, then found ones; each address once', () => {
    expect(orderRelays([at(1), at(2)], [at(3), at(1)], [at(4), at(3)])).toEqual([at(1), at(2), at(3), at(4)]);
    expect(orderRelays([], [], [at(5)])).toEqual([at(5)]);
  });

  it('a dialer keeps a few relays found per key and tries them after its own', async () => {
    const [node] = await createNodes(1);
    const key = new Uint8Array(32).fill(7);
    const dialer = new RelayDialer(node!.node, { relays: [at(10)] });
    for (let port = 100; port < 110; port++) dialer.addRelayHint(key, at(port));
    dialer.addRelays(key, [at(20)]);
    const order = (dialer as unknown as { relaysFor(key: Uint8Array): { host: string; port: number }[] }).relaysFor(key);
    expect(order).toEqual([at(20), at(10), ...Array.from({ length: MAX_FOUND_RELAYS_PER_KEY }, (_, i) => at(100 + i))]);
  });
});
