/**
 * When a get starts discovery (cli/deferred-discovery.ts): with addresses to dial, only once
 * it is downloading, a dial failed, or a second has passed, so that its start-up work does
 * not delay the first dial; with none, at once. The get itself, with discovery finding the
 * sharer, is in test/e2e/lan-discovery.test.ts.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferredDiscovery, type Discovery } from '../../src/cli/deferred-discovery.js';

function fakeDiscovery() {
  const calls = { starts: 0, closes: 0, nudges: 0 };
  const start = async (): Promise<Discovery> => {
    calls.starts += 1;
    return {
      close: async () => void (calls.closes += 1),
      nudge: () => void (calls.nudges += 1),
    };
  };
  return { calls, start };
}

describe('deferred discovery', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('with no address to dial it starts at once', () => {
    const { calls, start } = fakeDiscovery();
    deferredDiscovery(new EventEmitter(), false, start);
    expect(calls.starts).toBe(1);
  });

  it.each(['downloading', 'waiting'])('with addresses it waits for the %s event, and starts once', (event) => {
    const { calls, start } = fakeDiscovery();
    const session = new EventEmitter();
    deferredDiscovery(session, true, start);
    vi.advanceTimersByTime(900);
    // The metadata alone is not enough: the engine is still setting up its store then.
    session.emit('metadata');
    expect(calls.starts).toBe(0);
    session.emit(event);
    expect(calls.starts).toBe(1);
    session.emit('downloading');
    session.emit('waiting');
    vi.advanceTimersByTime(5000);
    expect(calls.starts).toBe(1);
    expect(session.listenerCount('downloading') + session.listenerCount('waiting')).toBe(0);
  });

  it('with addresses and no news it starts after one second', () => {
    const { calls, start } = fakeDiscovery();
    deferredDiscovery(new EventEmitter(), true, start);
    vi.advanceTimersByTime(999);
    expect(calls.starts).toBe(0);
    vi.advanceTimersByTime(1);
    expect(calls.starts).toBe(1);
  });

  it('closed before it started, it never starts; nudged (complete, --seed), it starts and announces', async () => {
    const closedEarly = fakeDiscovery();
    const session = new EventEmitter();
    await deferredDiscovery(session, true, closedEarly.start).close();
    session.emit('downloading');
    vi.advanceTimersByTime(5000);
    expect(closedEarly.calls.starts).toBe(0);

    const seeding = fakeDiscovery();
    const discovery = deferredDiscovery(new EventEmitter(), true, seeding.start);
    discovery.nudge();
    await vi.runAllTimersAsync();
    expect(seeding.calls).toMatchObject({ starts: 1, nudges: 1 });
    await discovery.close();
    expect(seeding.calls.closes).toBe(1);
  });
});
