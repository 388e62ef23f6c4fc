/**
 * The internals fence (issue 10): every hook swarm relies on is checked against the real
 * webtorrent / bittorrent-protocol classes, and each check fires when its hook is gone or
 * has another shape. The canaries work on throwaway copies (an object inheriting from the
 * real prototype or instance, with the one hook shadowed), so the real classes stay intact.
 */
import TorrentClass from 'webtorrent/lib/torrent.js';
import { describe, expect, it } from 'vitest';
import { SwarmError } from '../../src/errors.js';
import { createLockedClient, destroyClient } from '../../src/share/locked-client.js';
import { checkEngineParts, HOOKS, loadEngineParts, type EngineParts } from '../../src/share/webtorrent-internals.js';

/** `parts` with the hook at `path` inside `part` replaced by `value`, on copies only. */
function withHook(parts: EngineParts, part: keyof EngineParts, path: string[], value: unknown): EngineParts {
  const copy = (target: unknown, keys: string[]): unknown => {
    const [key, ...rest] = keys;
    const shadow = Object.create(target as object) as Record<string, unknown>;
    Object.defineProperty(shadow, key!, { value: rest.length === 0 ? value : copy((target as Record<string, unknown>)[key!], rest), enumerable: true });
    return shadow;
  };
  return { ...parts, [part]: copy(parts[part], path) };
}

const failureOf = (run: () => void): SwarmError | undefined => {
  try {
    run();
  } catch (error) {
    return error as SwarmError;
  }
  return undefined;
};

describe('webtorrent internals fence', () => {
  it('passes on the installed webtorrent, and a locked client is created and closes its listener', async () => {
    const parts = await loadEngineParts({ _connPool: { destroy() {} } });
    expect(() => checkEngineParts(parts)).not.toThrow();
    const client = await createLockedClient();
    expect(client._connPool).toBeNull();
    await destroyClient(client);
  });

  it('createLockedClient refuses a changed engine in one line (real prototype, restored after)', async () => {
    const prototype = TorrentClass.prototype as { _rechoke?: unknown };
    const rechoke = prototype._rechoke;
    delete prototype._rechoke;
    try {
      const error = await createLockedClient().then(
        () => undefined,
        (e: unknown) => e as SwarmError,
      );
      expect(error?.code).toBe('ENGINE_CHANGED');
      expect(error?.message).toMatch(/^the installed webtorrent no longer has Torrent\.prototype\._rechoke \(expected a method of 0 arguments\); swarm relies on it$/);
    } finally {
      prototype._rechoke = rechoke;
    }
  });

  it('names every hook that is missing, with ENGINE_CHANGED', async () => {
    const parts = await loadEngineParts({ _connPool: { destroy() {} } });
    for (const hook of HOOKS) {
      const broken = hook.expect.kind === 'text' ? { ...parts, [hook.part]: (parts[hook.part] as string).split(hook.expect.text).join('') } : withHook(parts, hook.part, hook.path, undefined);
      const error = failureOf(() => checkEngineParts(broken));
      expect(error, hook.name).toBeInstanceOf(SwarmError);
      expect(error!.code).toBe('ENGINE_CHANGED');
      expect(error!.message).toContain(hook.name);
    }
  });

  it('names a method whose arity changed, and a field of the wrong type', async () => {
    const parts = await loadEngineParts({ _connPool: { destroy() {} } });
    for (const hook of HOOKS) {
      if (hook.expect.kind === 'text' || hook.expect.kind === 'present') continue;
      const wrong = hook.expect.kind === 'function' ? (hook.expect.arity === undefined ? 'not a function' : (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) => [a, b, c, d, e]) : () => 0;
      const error = failureOf(() => checkEngineParts(withHook(parts, hook.part, hook.path, wrong)));
      expect(error?.message, hook.name).toContain(hook.name);
    }
  });

  it('a client whose plaintext listener pool is gone is refused before use', async () => {
    const parts = await loadEngineParts({ _connPool: null });
    expect(failureOf(() => checkEngineParts(parts))?.message).toContain('client._connPool.destroy');
  });
});
