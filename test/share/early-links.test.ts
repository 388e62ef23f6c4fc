/**
 * EarlyLinks: a dial started while the engine loads is handed, once, to the first connect()
 * for the same host, port and channel, with its outcome (link or error) as it came; other
 * connects dial anew; a link nobody took is closed when the get ends.
 */
import { describe, expect, it } from 'vitest';
import { EarlyLinks } from '../../src/share/early-links.js';
import type { LinkNode, PeerLink } from '../../src/net/peer-link.js';

function recordingNode(outcome: (n: number) => Promise<PeerLink>) {
  const calls: { host: string; port: number; channel: string; expectedKey?: Uint8Array }[] = [];
  const closed: number[] = [];
  const node: LinkNode = {
    connect(host, port, channel, opts) {
      calls.push({ host, port, channel, expectedKey: opts?.expectedKey });
      return outcome(calls.length);
    },
    handle() {},
  };
  const link = (n: number) => ({ remoteKeyText: `k${n}`, close: () => closed.push(n) }) as unknown as PeerLink;
  return { node, calls, closed, link };
}

describe('EarlyLinks', () => {
  it('hands the early dial to the first matching connect only, and dials anew after', async () => {
    const { node, calls, link } = recordingNode(async (n) => link(n));
    const early = new EarlyLinks(node);
    const key = new Uint8Array([1, 2, 3]);
    early.start('127.0.0.1', 7000, 'torrent ab', { expectedKey: key });
    early.start('127.0.0.1', 7000, 'torrent ab', { expectedKey: key }); // the same dial is not started twice
    expect(calls).toEqual([{ host: '127.0.0.1', port: 7000, channel: 'torrent ab', expectedKey: key }]);
    expect((await early.connect('127.0.0.1', 7000, 'torrent ab', { expectedKey: key })).remoteKeyText).toBe('k1');
    expect(calls.length).toBe(1);
    expect((await early.connect('127.0.0.1', 7000, 'torrent ab', { expectedKey: key })).remoteKeyText).toBe('k2');
    expect((await early.connect('127.0.0.1', 7001, 'torrent ab')).remoteKeyText).toBe('k3');
    expect(calls.map((c) => c.port)).toEqual([7000, 7000, 7001]);
  });

  it('passes an early dial error to its taker instead of dialling again', async () => {
    const { node, calls } = recordingNode(async () => {
      throw new Error('no answer');
    });
    const early = new EarlyLinks(node);
    early.start('127.0.0.1', 7000, 'torrent ab');
    await new Promise((resolve) => setTimeout(resolve, 10)); // failed before anyone asked: not unhandled
    await expect(early.connect('127.0.0.1', 7000, 'torrent ab')).rejects.toThrow('no answer');
    expect(calls.length).toBe(1);
  });

  it('closes early links nobody took, and starts none after close', async () => {
    const { node, calls, closed, link } = recordingNode(async (n) => link(n));
    const early = new EarlyLinks(node);
    early.start('127.0.0.1', 7000, 'torrent ab');
    early.start('127.0.0.1', 7001, 'torrent ab');
    await early.connect('127.0.0.1', 7001, 'torrent ab');
    early.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toEqual([1]);
    early.start('127.0.0.1', 7002, 'torrent ab');
    expect(calls.length).toBe(2);
  });
});
