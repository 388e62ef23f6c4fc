/**
 * The duplicate-link rule's first question (share/duplicate-link.ts): one link through a
 * relay and one direct, the direct one is kept, at both ends and whichever came first, so a
 * direct upgrade takes a transfer off the relay and a relayed redial never displaces a
 * direct link. Links with the same path keep the older rules.
 */
import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { duplicateVerdict } from '../../src/share/duplicate-link.js';

/** The fields the rule reads: who initiated, through which relay, and the peer's key text. */
function link(isInitiator: boolean, via: string | undefined, remoteKeyText: string): PeerLink {
  return { isInitiator, remoteKeyText, ...(via === undefined ? {} : { via }) } as PeerLink;
}

describe('a relayed and a direct link from the same key', () => {
  const relay = '203.0.113.100:7000';
  it('the direct one wins at both ends, whoever initiated either', () => {
    // D dialled through the relay and initiates the direct link too (hole-punch.ts): D's view and T's.
    expect(duplicateVerdict(link(true, relay, 'swarm1t'), link(true, undefined, 'swarm1t'), 'swarm1d')).toBe('replace');
    expect(duplicateVerdict(link(false, relay, 'swarm1d'), link(false, undefined, 'swarm1d'), 'swarm1t')).toBe('replace');
    // Opposite directions, either key order.
    for (const own of ['swarm1a', 'swarm1z']) {
      expect(duplicateVerdict(link(true, relay, 'swarm1m'), link(false, undefined, 'swarm1m'), own)).toBe('replace');
      expect(duplicateVerdict(link(false, relay, 'swarm1m'), link(true, undefined, 'swarm1m'), own)).toBe('replace');
    }
  });

  it('a relayed link arriving while a direct one is up is turned away', () => {
    for (const [existingInitiator, incomingInitiator] of [[true, true], [true, false], [false, true], [false, false]]) {
      expect(duplicateVerdict(link(existingInitiator!, undefined, 'swarm1m'), link(incomingInitiator!, relay, 'swarm1m'), 'swarm1a')).toBe('keep-existing');
    }
  });

  it('two direct links (or two relayed) keep the older rules', () => {
    expect(duplicateVerdict(link(false, undefined, 'swarm1m'), link(false, undefined, 'swarm1m'), 'swarm1a')).toBe('probe-existing');
    expect(duplicateVerdict(link(false, relay, 'swarm1m'), link(false, relay, 'swarm1m'), 'swarm1a')).toBe('probe-existing');
    expect(duplicateVerdict(link(true, relay, 'swarm1m'), link(true, relay, 'swarm1m'), 'swarm1a')).toBe('keep-existing');
  });
});
