// /peers "via whom": the link an author's latest live message came by, only while that link
// is open, never for an author we are linked to ourselves, nor for ourselves.
import { describe, expect, it } from 'vitest';
import { RelayRoutes } from '../../src/chat/relay-routes.js';
import { cachedKeyText } from '../../src/chat/key-text-cache.js';

const key = (byte: number) => new Uint8Array(32).fill(byte);
const link = (byte: number) => ({ peer: { remoteKey: key(byte), remoteKeyText: cachedKeyText(key(byte)) } });
const names = new Map([[cachedKeyText(key(1)), 'bob'], [cachedKeyText(key(2)), 'carol'], [cachedKeyText(key(3)), 'dee']]);
const nameOf = (k: Uint8Array) => names.get(cachedKeyText(k)) ?? '?';

describe('RelayRoutes', () => {
  it('names each unlinked author by the open link its latest message came through', () => {
    const routes = new RelayRoutes<ReturnType<typeof link>>();
    const bob = link(1);
    const carol = link(2);
    routes.heard(key(3), bob, 1000);
    routes.heard(key(3), carol, 2000); // the latest path wins
    routes.heard(key(2), carol, 2500); // carol is linked: not "via" anyone
    routes.heard(key(9), bob, 3000); // ourselves
    const open = new Set([bob, carol]);
    const linked = new Set([cachedKeyText(key(1)), cachedKeyText(key(2))]);
    expect(routes.relayed(linked, open, cachedKeyText(key(9)), nameOf)).toEqual([
      { key: cachedKeyText(key(3)), name: 'dee', viaKey: cachedKeyText(key(2)), viaName: 'carol', lastHeardMs: 2000 },
    ]);
    expect(routes.relayed(linked, new Set([bob]), cachedKeyText(key(9)), nameOf)).toEqual([]); // carol's link closed
  });
});
