import { describe, expect, it } from 'vitest';
import { decodeChangedMessage, encodeChangedMessage, MAX_CHANGED_FILES } from '../../src/share/swarm-changed.js';

const text = (value: string) => Buffer.from(value);

describe('swarm_changed message', () => {
  it('round-trips the changed paths', () => {
    expect(decodeChangedMessage(encodeChangedMessage(['big.bin', 'dir/a b/ü.txt']))).toEqual(['big.bin', 'dir/a b/ü.txt']);
  });

  it('keeps a message under 16 KiB however many or long the paths', () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `${'x'.repeat(200)}/${i}`);
    const bytes = encodeChangedMessage(paths);
    expect(bytes.length).toBeLessThanOrEqual(16 * 1024);
    const decoded = decodeChangedMessage(bytes)!;
    expect(decoded.length).toBeGreaterThan(0);
    expect(decoded).toEqual(paths.slice(0, decoded.length));
  });

  it('ignores what does not match the shape', () => {
    expect(decodeChangedMessage(text('not json'))).toBeUndefined();
    expect(decodeChangedMessage(text('{"v":2,"files":["a"]}'))).toBeUndefined();
    expect(decodeChangedMessage(text('{"v":1,"files":"a"}'))).toBeUndefined();
    expect(decodeChangedMessage(text('null'))).toBeUndefined();
    expect(decodeChangedMessage(text(`{"v":1,"files":["${'a'.repeat(17 * 1024)}"]}`))).toBeUndefined();
    expect(decodeChangedMessage(text('{"v":1,"files":["a",1,null,{"x":1},"b"]}'))).toEqual(['a', 'b']);
    const many = JSON.stringify({ v: 1, files: Array.from({ length: 1000 }, (_, i) => String(i)) });
    expect(decodeChangedMessage(text(many))).toHaveLength(MAX_CHANGED_FILES);
  });
});
