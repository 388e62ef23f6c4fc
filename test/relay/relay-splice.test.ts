/**
 * The relay's splice on its own, over streamx duplexes that behave like a link's stream (the
 * e2e test relay-direct-upgrade.test.ts covers the whole relay): both far ends end in order
 * while each direction waits for the other's 'drain', and the splice must still finish.
 * Before the fix it waited forever: a stream whose writable side has finished drops writes
 * and never emits 'drain', and a paused reader with bytes left never emits 'end'.
 */
import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/net/peer-link.js';
import { splice } from '../../src/relay/relay-splice.js';
import { createStreamxDuplex, type StreamxDuplex } from '../../src/secure/streamx-duplex.js';

interface FakeLink {
  link: PeerLink;
  stream: StreamxDuplex;
  written: Buffer[];
  /** Completes the write the far end has not taken yet (a full socket). */
  release(): void;
}

/** A link whose far end takes one write and then stops reading until released. */
function fakeLink(name: string): FakeLink {
  const written: Buffer[] = [];
  let pending: (() => void) | undefined;
  const stream = createStreamxDuplex({
    highWaterMark: 1024,
    read: (cb) => cb(null),
    writev: (batch, cb) => {
      written.push(...batch);
      pending = () => cb(null);
    },
    final: (cb) => cb(null),
  });
  const link = {
    remoteKey: new Uint8Array(32),
    remoteKeyText: name,
    channel: 'torrent x',
    remoteHost: '127.0.0.1',
    remotePort: 1,
    isInitiator: false,
    stream,
    close: () => stream.destroy(),
    closeError: () => undefined,
    probe: async () => true,
  } satisfies PeerLink;
  return {
    link,
    stream,
    written,
    release: () => {
      const done = pending;
      pending = undefined;
      done?.();
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('relay splice', () => {
  it('finishes when both ends have ended in order while each direction waits for a drain that cannot come', async () => {
    const bob = fakeLink('bob');
    const alice = fakeLink('alice');
    let isSettled = false;
    const done = splice(bob.link, alice.link, { passed: () => true }).then((result) => {
      isSettled = true;
      return result;
    });
    // alice sends more than bob's side takes: bob's writer is full, so alice's reader pauses
    // with bytes still queued for bob.
    alice.stream.push(Buffer.alloc(4096, 1));
    await tick();
    alice.stream.push(Buffer.alloc(4096, 2));
    alice.stream.push(Buffer.alloc(4096, 3));
    expect(bob.written.length).toBe(1);
    // alice ends in order (the relay answered her end: her writable side finishes) ...
    alice.stream.push(null);
    alice.stream.end();
    await tick();
    // ... so bob's last request, which comes after, is dropped, and bob's reader pauses too.
    bob.stream.push(Buffer.alloc(46, 4));
    await tick();
    bob.stream.push(Buffer.alloc(46, 5));
    // bob ends in order as well; his side's pending write completes only after his end.
    bob.stream.push(null);
    bob.stream.end();
    bob.release();
    await tick();
    await tick();
    expect(isSettled).toBe(true);
    expect(bob.stream.destroyed).toBe(true);
    expect(alice.stream.destroyed).toBe(true);
    const result = await done;
    expect(result.bToA).toBeGreaterThanOrEqual(4096);
  });

  it('still forwards in both directions and passes an end on while both ends are open', async () => {
    const bob = fakeLink('bob');
    const alice = fakeLink('alice');
    const done = splice(bob.link, alice.link, { passed: () => true });
    bob.stream.push(Buffer.from('request'));
    alice.stream.push(Buffer.from('piece'));
    await tick();
    expect(Buffer.concat(alice.written).toString()).toBe('request');
    expect(Buffer.concat(bob.written).toString()).toBe('piece');
    bob.release();
    alice.release();
    bob.stream.push(null);
    await tick();
    // bob's end reached alice's side (its writable finished), and alice's end closes the splice.
    alice.stream.push(null);
    await tick();
    const result = await done;
    expect(result).toEqual({ aToB: 7, bToA: 5 });
  });
});
