// What `swarm share` prints, from a scripted share under fake timers: the ready line (or the
// magnet and the human line with the peer-visible name escaped), one status per second with
// each key's traffic, peer events named from the trust store, and nothing after stop().
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ShareSnapshot } from '../../src/share/share-session.js';
import { ShareReporter } from '../../src/ui/share-reporter.js';

class ScriptedShare extends EventEmitter {
  magnet = 'magnet:?xt=urn:btih:' + 'ab'.repeat(20) + '&dn=notes.txt';
  infoHash = 'ab'.repeat(20);
  name = 'notes.txt';
  length = 4096;
  current: ShareSnapshot = { peers: 0, uploaded: 0, uploadSpeed: 0, traffic: [] };
  snapshot(): ShareSnapshot {
    return { ...this.current, traffic: this.current.traffic.map((t) => ({ ...t })) };
  }
}

let stdout: string[];
let stderr: string[];
const jsonEvents = () => stdout.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const stderrTty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  stdout = [];
  stderr = [];
  // The plain (non-TTY) status line, whatever the test runner's stderr is.
  Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  if (stderrTty) Object.defineProperty(process.stderr, 'isTTY', stderrTty);
  else delete (process.stderr as { isTTY?: boolean }).isTTY;
});

describe('ShareReporter --json', () => {
  it('prints ready, then a status event each second with the traffic, and peer events by name', async () => {
    const source = new ScriptedShare();
    const reporter = new ShareReporter(source, { isJson: true, nameOf: (key) => (key === 'swarm1bob' ? 'bob' : undefined) });
    source.emit('peer-connected', { key: 'swarm1bob' }); // before ready: nobody listens yet
    reporter.ready(7000);
    source.emit('peer-connected', { key: 'swarm1bob' });
    source.current = { peers: 1, uploaded: 2048, uploadSpeed: 1024, traffic: [{ key: 'swarm1bob', received: 0, sent: 2048, connected: true }] };
    await vi.advanceTimersByTimeAsync(2000);
    source.emit('peer-refused', { key: 'swarm1eve', reason: 'not allowed for this share' });
    reporter.stop();
    reporter.stop(); // twice is fine
    await vi.advanceTimersByTimeAsync(5000);

    const events = jsonEvents();
    expect(events.map((event) => event.event)).toEqual(['ready', 'peer-connected', 'status', 'status', 'peer-refused']);
    expect(events[0]).toEqual({ event: 'ready', magnet: source.magnet, port: 7000, infoHash: source.infoHash, name: 'notes.txt', length: 4096 });
    expect(events[1]).toEqual({ event: 'peer-connected', key: 'swarm1bob', name: 'bob' });
    expect(events[2]).toEqual({ event: 'status', peers: 1, uploaded: 2048, traffic: [{ key: 'swarm1bob', received: 0, sent: 2048, connected: true }] });
    expect(events[4]).toEqual({ event: 'peer-refused', key: 'swarm1eve', reason: 'not allowed for this share' });
    expect(stderr).toEqual([]); // --json draws no status line
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ShareReporter for people', () => {
  it('prints the magnet alone on stdout and the rest on stderr, peer strings escaped', async () => {
    const source = new ScriptedShare();
    source.name = 'evil\u001b[2Jname';
    const reporter = new ShareReporter(source, { isJson: false, nameOf: () => undefined });
    reporter.ready(7000);
    source.emit('peer-connected', { key: 'swarm1bob' }); // a line of its own, named (or the key as given)
    source.emit('peer-dropped', { key: 'swarm1bob\u001b[31m', reason: 'sent a bad piece' });
    source.current = { peers: 1, uploaded: 4096, uploadSpeed: 1024, traffic: [] };
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000); // same numbers: not repeated
    source.current = { peers: 2, uploaded: 8192, uploadSpeed: 2048, traffic: [] };
    await vi.advanceTimersByTimeAsync(1000); // changed, but under 2 s since the last line
    await vi.advanceTimersByTimeAsync(1000);
    reporter.stop();

    expect(stdout).toEqual([`${source.magnet}\n`]);
    expect(stderr).toEqual([
      'sharing evil\\x1b[2Jname on port 7000; give the magnet link above to a trusted friend. Ctrl-C stops.\n',
      'swarm1bob connected\n',
      'dropped swarm1bob\\x1b[31m: sent a bad piece\n',
      'serving: 1 peer, uploaded 4.0 KiB (1.0 KiB/s)\n',
      'serving: 2 peers, uploaded 8.0 KiB (2.0 KiB/s)\n',
    ]);
  });
});

describe('ShareReporter: a shared file changed on disk', () => {
  it('prints one line for people (escaped) and a file-changed event with --json', () => {
    const human = new ScriptedShare();
    const humanReporter = new ShareReporter(human, { isJson: false, nameOf: () => undefined });
    humanReporter.ready(7000);
    human.emit('file-changed', { path: 'notes\u001b[2J.txt', reason: 'size 4096 -> 10 bytes' });
    humanReporter.stop();
    expect(stderr.slice(1)).toEqual([
      'notes\\x1b[2J.txt changed on disk since it was shared (size 4096 -> 10 bytes); no longer serving it. Share it again for a new link.\n',
    ]);
    stdout = [];
    const json = new ScriptedShare();
    const reporter = new ShareReporter(json, { isJson: true, nameOf: () => undefined });
    reporter.ready(7000);
    json.emit('file-changed', { path: 'notes.txt', reason: 'it was modified' });
    reporter.stop();
    expect(jsonEvents().slice(1)).toEqual([{ event: 'file-changed', path: 'notes.txt', reason: 'it was modified' }]);
  });
});

describe('ShareReporter: who is fetching', () => {
  const bobKey = 'swarm1bob';
  const nameOf = (key: string) => (key === bobKey ? 'bob' : undefined);

  it('names each peer with how far it is, says when each finishes (once) and when it leaves', async () => {
    const source = new ScriptedShare();
    source.name = 'big.bin';
    source.length = 200 * 1024 * 1024;
    const reporter = new ShareReporter(source, { isJson: false, nameOf });
    reporter.ready(7000);
    source.emit('peer-connected', { key: bobKey });
    source.emit('peer-connected', { key: 'swarm1carol' });
    source.current = {
      peers: 2, uploaded: 100 * 1024 * 1024, uploadSpeed: 3 * 1024 * 1024,
      traffic: [
        { key: bobKey, received: 0, sent: 90 * 1024 * 1024, connected: true, hasBytes: 90 * 1024 * 1024 },
        { key: 'swarm1carol', received: 0, sent: 10 * 1024 * 1024, connected: true, hasBytes: 10 * 1024 * 1024 },
      ],
    };
    await vi.advanceTimersByTimeAsync(1000);
    source.current = { ...source.current, traffic: [{ ...source.current.traffic[0]!, hasBytes: source.length }, source.current.traffic[1]!] };
    await vi.advanceTimersByTimeAsync(41_000);
    source.current = { ...source.current, peers: 1, traffic: [{ ...source.current.traffic[0]!, connected: false }, source.current.traffic[1]!] };
    source.emit('peer-disconnected', { key: bobKey });
    reporter.stopped();

    const text = stderr.join('');
    expect(text).toContain('bob connected\n');
    expect(text).toContain('serving: 2 peers (bob 45%, swarm1carol 5%), uploaded 100 MiB (3.0 MiB/s)\n');
    expect(text.match(/finished/g)).toHaveLength(1);
    expect(text).toContain('bob finished big.bin (200 MiB) in 2 s\n');
    expect(text).toContain('serving: 2 peers (bob done, swarm1carol 5%)');
    expect(text).toContain('bob left (had all of big.bin; sent 90.0 MiB)\n');
    expect(text).toMatch(/stopped sharing big\.bin after 42 s; uploaded 100 MiB to 2 peers\n$/);
  });

  it('a peer that arrives complete did not finish here; --json says peer-finished and stopped', async () => {
    const source = new ScriptedShare();
    const reporter = new ShareReporter(source, { isJson: true, nameOf });
    reporter.ready(7000);
    source.emit('peer-connected', { key: 'swarm1seed' });
    source.emit('peer-connected', { key: bobKey });
    source.current = {
      peers: 2, uploaded: 4096, uploadSpeed: 0,
      traffic: [
        { key: 'swarm1seed', received: 0, sent: 0, connected: true, hasBytes: 4096 },
        { key: bobKey, received: 0, sent: 4096, connected: true, hasBytes: 4096 },
      ],
    };
    await vi.advanceTimersByTimeAsync(3000);
    reporter.stopped();
    const events = jsonEvents();
    expect(events.filter((e) => e.event === 'peer-finished')).toEqual([{ event: 'peer-finished', key: bobKey, name: 'bob', bytes: 4096, seconds: 1 }]);
    expect(events.at(-1)).toEqual({ event: 'stopped', uploaded: 4096, peers: 1, seconds: 3 });
    expect(stderr).toEqual([]);
  });

  it('on a TTY, event lines go above the status line, which is redrawn below them', async () => {
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    const source = new ScriptedShare();
    const reporter = new ShareReporter(source, { isJson: false, nameOf });
    reporter.ready(7000);
    source.current = { peers: 0, uploaded: 0, uploadSpeed: 0, traffic: [] };
    await vi.advanceTimersByTimeAsync(1000);
    source.emit('peer-connected', { key: bobKey });
    reporter.stop();
    expect(stderr.slice(1)).toEqual([
      '\r\u001b[2Kserving: 0 peers, uploaded 0 B (0 B/s)',
      '\r\u001b[2Kbob connected\nserving: 0 peers, uploaded 0 B (0 B/s)',
      '\n',
    ]);
  });

  it('a getter removed from the trust list mid-share is still called by its name when it leaves', () => {
    const source = new ScriptedShare();
    let isTrusted = true;
    const reporter = new ShareReporter(source, { isJson: false, nameOf: (key) => (isTrusted && key === bobKey ? 'bob' : undefined) });
    reporter.ready(7000);
    source.emit('peer-connected', { key: bobKey });
    isTrusted = false;
    source.emit('peer-disconnected', { key: bobKey });
    reporter.stop();
    expect(stderr.slice(1)).toEqual(['bob connected\n', 'bob left: removed from your trust list\n']);
  });
});

