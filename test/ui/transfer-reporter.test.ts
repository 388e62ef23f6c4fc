// What `swarm get` prints, from a scripted source under fake timers: nothing before the
// metadata, --json progress at most once a second, done/seeding events, the human "saved"
// line with the peer-supplied name escaped.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TransferSnapshot } from '../../src/share/get-session.js';
import { TransferReporter } from '../../src/ui/transfer-reporter.js';

class ScriptedDownload extends EventEmitter {
  isResume = true;
  alreadyComplete = false;
  savedPath = '/out/notes.txt';
  current: TransferSnapshot = { length: 4096, verified: 0, received: 0, uploaded: 0, downloadSpeed: 0, uploadSpeed: 0, peers: 0, traffic: [], isDone: false, isChecking: false };
  snapshot(): TransferSnapshot {
    return { ...this.current };
  }
}

let stdout: string[];
let stderr: string[];
const jsonEvents = () => stdout.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('TransferReporter --json', () => {
  it('says nothing before the metadata, then metadata, progress at most once a second, done', async () => {
    const source = new ScriptedDownload();
    const reporter = new TransferReporter(source, { isJson: true, nameOf: (key) => (key === 'swarm1bob' ? 'bob' : undefined) });
    await vi.advanceTimersByTimeAsync(2000);
    expect(stdout).toEqual([]);

    source.emit('metadata', { name: 'notes.txt', length: 4096, files: 1 });
    source.current = { ...source.current, verified: 1024, received: 2048, downloadSpeed: 512.4, peers: 1 };
    await vi.advanceTimersByTimeAsync(3000); // ticks every 250 ms
    source.emit('peer-refused', { key: 'swarm1bob', reason: 'not allowed' });
    source.current = { ...source.current, verified: 4096, received: 4096, traffic: [{ key: 'swarm1bob', received: 4096, sent: 0, connected: true }] };
    reporter.done();
    await vi.advanceTimersByTimeAsync(5000); // the progress tick is gone after done
    reporter.stop();

    const events = jsonEvents();
    expect(events.map((event) => event.event)).toEqual(['metadata', 'progress', 'progress', 'progress', 'peer-refused', 'done']);
    expect(events[0]).toEqual({ event: 'metadata', name: 'notes.txt', length: 4096, files: 1, resume: true });
    expect(events[1]).toEqual({ event: 'progress', verified: 1024, length: 4096, received: 2048, speed: 512, peers: 1 });
    expect(events[4]).toMatchObject({ event: 'peer-refused', key: 'swarm1bob', name: 'bob', reason: 'not allowed' });
    expect(events[5]).toEqual({
      event: 'done',
      path: '/out/notes.txt',
      length: 4096,
      received: 4096,
      resumed: true,
      alreadyComplete: false,
      peers: [{ key: 'swarm1bob', received: 4096, sent: 0, connected: true, name: 'bob' }],
    });
    expect(stderr).toEqual([]); // --json draws no bar
  });

  it('a resume says how much it is checking, and sends no progress until the check is over', async () => {
    const source = new ScriptedDownload();
    const reporter = new TransferReporter(source, { isJson: true, nameOf: () => undefined });
    source.current = { ...source.current, isChecking: true };
    source.emit('metadata', { name: 'notes.txt', length: 4096, files: 1 });
    source.emit('checking', { bytes: 3000 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(jsonEvents()).toEqual([{ event: 'metadata', name: 'notes.txt', length: 4096, files: 1, resume: true }, { event: 'checking', bytes: 3000 }]);
    source.current = { ...source.current, isChecking: false, verified: 2048 };
    await vi.advanceTimersByTimeAsync(1000);
    reporter.stop();
    expect(jsonEvents()[2]).toMatchObject({ event: 'progress', verified: 2048 });
  });

  it('announces seeding and stops its status tick when told', async () => {
    const source = new ScriptedDownload();
    source.alreadyComplete = true;
    const reporter = new TransferReporter(source, { isJson: true, nameOf: () => undefined });
    reporter.done();
    const stopSeeding = reporter.seeding(7001);
    await vi.advanceTimersByTimeAsync(3000);
    stopSeeding();
    expect(vi.getTimerCount()).toBe(0);
    expect(jsonEvents().map((event) => event.event)).toEqual(['done', 'seeding', 'stopped']);
    expect(jsonEvents()[1]).toEqual({ event: 'seeding', port: 7001 });
    expect(jsonEvents()[2]).toEqual({ event: 'stopped', uploaded: 0, peers: 0, seconds: 3 });
  });
});

describe('TransferReporter for people', () => {
  it('ends with one "saved" line on stderr, the path escaped, and nothing on stdout', () => {
    const source = new ScriptedDownload();
    const reporter = new TransferReporter(source, { isJson: false, nameOf: () => undefined });
    source.current = { ...source.current, verified: 4096 };
    source.savedPath = '/out/evil\u001b[2Jname';
    reporter.done();
    reporter.stop();
    const text = stderr.join('');
    expect(text).toContain('saved /out/evil\\x1b[2Jname (4.0 KiB, every piece verified)\n');
    expect(text).not.toContain('\u001b[2J');
    expect(stdout).toEqual([]);
  });

  it('prints one "checking" line on a resume instead of a bar at 0%', async () => {
    const source = new ScriptedDownload();
    const reporter = new TransferReporter(source, { isJson: false, nameOf: () => undefined });
    source.current = { ...source.current, length: 200 * 1024 * 1024, isChecking: true };
    source.emit('metadata', { name: 'big.bin', length: 200 * 1024 * 1024, files: 1 });
    source.emit('checking', { bytes: 66 * 1024 * 1024 });
    await vi.advanceTimersByTimeAsync(2000);
    reporter.stop();
    expect(stderr.join('')).toBe('checking 66.0 MiB already here…\n');
  });

  it('says "already complete:" for an identical existing copy', () => {
    const source = new ScriptedDownload();
    source.alreadyComplete = true;
    source.savedPath = '/out/same';
    const reporter = new TransferReporter(source, { isJson: false, nameOf: () => undefined });
    reporter.done();
    expect(stderr.join('')).toMatch(/^already complete: \/out\/same \(/m);
  });
});
