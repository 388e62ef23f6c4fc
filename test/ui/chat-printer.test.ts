// What `swarm chat` prints without a terminal: one JSON event per line with --json, or
// plain lines with every peer string escaped, messages laid out with the continuation
// marker, and a turn's output batched into one write.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatEntry, ChatPeerInfo } from '../../src/chat/chat-session.js';
import { ChatPrinter } from '../../src/ui/chat-printer.js';
import { CONTINUATION_MARKER } from '../../src/ui/chat-lines.js';

const TS = Date.UTC(2026, 0, 2, 13, 45); // 13:45 in UTC
const entry = (over: Partial<ChatEntry> = {}): ChatEntry => ({
  id: 'id1', from: 'swarm1ann', name: 'ann', text: 'hello', ts: TS, seq: 1, isOwn: false, direct: false, ...over,
});
const bob: ChatPeerInfo = { key: 'swarm1bob', name: 'bob', host: '127.0.0.2', port: 7001, isInitiator: true };

let writes: string[];
const stdoutTty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
const stdoutColumns = Object.getOwnPropertyDescriptor(process.stdout, 'columns');
const timeZone = process.env.TZ;
const connected = { snapshot: () => ({ peers: [bob], relayed: [] }) };
const alone = { snapshot: () => ({ peers: [], relayed: [] }) };

beforeEach(() => {
  writes = [];
  process.env.TZ = 'UTC';
  // A pipe, not a terminal, 40 columns wide, whatever the test runner's stdout is.
  Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
  Object.defineProperty(process.stdout, 'columns', { value: 40, configurable: true });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (writes.push(String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env.TZ = timeZone;
  if (timeZone === undefined) delete process.env.TZ;
  for (const [name, descriptor] of [['isTTY', stdoutTty], ['columns', stdoutColumns]] as const) {
    if (descriptor) Object.defineProperty(process.stdout, name, descriptor);
    else delete (process.stdout as unknown as Record<string, unknown>)[name];
  }
});

describe('ChatPrinter --json', () => {
  it('prints one event per line, history and direct messages marked, in a single write per turn', () => {
    const printer = new ChatPrinter(true, connected);
    printer.message(entry(), true);
    printer.ready({ host: '127.0.0.1', port: 7000 }, 'swarm1me', 'ab:cd');
    printer.message(entry({ id: 'id2', direct: true, to: 'swarm1me', toName: 'me', text: 'psst \u202e' }));
    printer.sent(entry({ id: 'id3', from: 'swarm1me', name: 'me', isOwn: true }));
    printer.peer('peer-join', bob);
    printer.rateLimited({ key: 'swarm1eve', name: 'eve' });
    printer.dialError('127.0.0.9:7000', 'connection refused');
    printer.error('no trusted key is named "zed"');
    expect(writes).toEqual([]); // batched until the end of the turn
    printer.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('psst \\u202e'); // a bidi override is escaped in the JSON text
    expect(writes[0]!.split('\n').filter(Boolean).map((line) => JSON.parse(line))).toEqual([
      { event: 'message', from: 'swarm1ann', name: 'ann', text: 'hello', ts: TS, id: 'id1', history: true },
      { event: 'ready', host: '127.0.0.1', port: 7000, key: 'swarm1me', fingerprint: 'ab:cd', addresses: ['127.0.0.1:7000'] },
      { event: 'message', from: 'swarm1ann', name: 'ann', text: 'psst \u202e', ts: TS, id: 'id2', direct: true, to: 'swarm1me', toName: 'me' },
      { event: 'sent', id: 'id3', text: 'hello', ts: TS },
      { event: 'peer-join', key: 'swarm1bob', name: 'bob', host: '127.0.0.2', port: 7001 },
      { event: 'rate-limited', key: 'swarm1eve', name: 'eve' },
      { event: 'dial-error', address: '127.0.0.9:7000', message: 'connection refused' },
      { event: 'error', message: 'no trusted key is named "zed"' },
    ]);
  });
});

describe('ChatPrinter for people (no terminal)', () => {
  const printed = (printer: ChatPrinter) => {
    printer.flush();
    return writes.join('');
  };

  it('lays out messages with the time, the escaped name and marked continuation lines', () => {
    const printer = new ChatPrinter(false, connected);
    printer.message(entry({ name: 'mal\u001b[2Jlory', text: 'one\n[13:46] bob: forged' }));
    printer.message(entry({ text: 'old' }), true);
    printer.message(entry({ direct: true, toName: 'me', text: 'secret' }));
    printer.sent(entry({ direct: true, toName: 'bob' })); // only a terminal gets the "sealed" note
    expect(printed(printer)).toBe([
      '[13:45] mal\\x1b[2Jlory: one',
      `${CONTINUATION_MARKER}[13:46] bob: forged`,
      '~[13:45] ann: old',
      '[13:45] ann -> me (direct): secret',
      '',
    ].join('\n'));
  });

  it('wraps a long body before the terminal width, every wrapped line marked', () => {
    const printer = new ChatPrinter(false, connected);
    printer.message(entry({ text: 'x'.repeat(60) }));
    const lines = printed(printer).split('\n').filter(Boolean);
    // 40 columns less one: the head and 26 x, then the marker and the other 34.
    expect(lines).toEqual(['[13:45] ann: ' + 'x'.repeat(26), CONTINUATION_MARKER + 'x'.repeat(34)]);
  });

  it('prints peers, trust (marking who is connected), help, errors and dial failures on their own lines', () => {
    const printer = new ChatPrinter(false, connected);
    printer.ready({ host: '127.0.0.1', port: 7000 }, 'swarm1me', 'ab:cd');
    printer.peer('peer-join', bob);
    printer.peer('peer-leave', { ...bob, name: 'b\u0007ob' });
    // A peer that dialled us: plain IPv4 from the dual-stack form, and no port (its port was a random outgoing one).
    printer.peerList([bob, { ...bob, key: 'swarm1cy', name: 'cy', host: '::ffff:10.66.0.2', port: 50770, isInitiator: false }]);
    printer.peerList([]);
    printer.trustList([{ name: 'bob', key: 'swarm1bob' }, { name: 'cy', key: 'swarm1cy' }]);
    printer.trustList([]);
    printer.error('bad\u001b[31m');
    printer.dialError('127.0.0.9:7000', 'connect ECONNREFUSED');
    printer.rateLimited({ key: 'swarm1eve', name: 'eve' });
    const lines = printed(printer).split('\n');
    expect(lines.slice(0, 14)).toEqual([
      '-- chatting as ab:cd on 127.0.0.1:7000; /help for commands --',
      '-- on this machine: swarm chat --peer 127.0.0.1:7000 --',
      '-- they see you by the name they gave your key --',
      '* bob connected (127.0.0.2:7001)',
      '* b\\x07ob disconnected (127.0.0.2:7001)',
      '* bob  127.0.0.2:7001  direct (you dialled)',
      '* cy  10.66.0.2  direct (dialled you)',
      '* no peers connected',
      '* bob  swarm1bob  (connected)',
      '* cy  swarm1cy',
      '* you trust nobody yet: swarm trust add <key> --name <name>',
      '! bad\\x1b[31m',
      '* cannot reach 127.0.0.9:7000 (connect ECONNREFUSED); retrying in the background',
      '* eve is sending too fast: what they send over the rate limit is dropped (not shown, kept or relayed)',
    ]);
  });

  it('prints the help lines indented', () => {
    const printer = new ChatPrinter(false, connected);
    printer.help();
    const lines = printed(printer).split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.some((line) => line.startsWith('  /msg '))).toBe(true);
    for (const line of lines) expect(line.startsWith('  ')).toBe(true);
  });
});

describe('ChatPrinter: where to reach us, who is reachable through whom, queued lines', () => {
  const printed = () => {
    return writes.join('');
  };

  it('lists relayed peers by the neighbour they come through, and says a line sent to nobody is queued', () => {
    const printer = new ChatPrinter(false, alone);
    printer.peerList([], [{ key: 'swarm1dee', name: 'dee', viaKey: 'swarm1bob', viaName: 'bob', lastHeardMs: Date.now() - 125_000 }]);
    printer.sent(entry({ from: 'swarm1me', name: 'me', isOwn: true }));
    const json = new ChatPrinter(true, alone);
    json.sent(entry({ id: 'q', from: 'swarm1me', name: 'me', isOwn: true }));
    printer.flush();
    json.flush();
    const [human, events] = [printed().split('\n').slice(0, 3), JSON.parse(printed().split('\n')[3]!)];
    expect(human).toEqual(['* no peers connected', '* dee  via bob  (last heard 2 m ago)', '(queued: nobody is connected)']);
    expect(events).toMatchObject({ event: 'sent', id: 'q', queued: true });
  });

  it('on a wildcard listener names the network addresses and loopback; warns first when the default port was taken', () => {
    const printer = new ChatPrinter(false, alone);
    printer.ready({ host: '0.0.0.0', port: 40211, isFallbackPort: true }, 'swarm1me', 'ab:cd', 7927);
    printer.flush();
    const lines = printed().split('\n');
    expect(lines[0]).toMatch(/^warning: port 7927 is taken; listening on 40211 instead .*--port 0 picks any\)$/);
    expect(lines[1]).toBe('-- chatting as ab:cd on 0.0.0.0:40211; /help for commands --');
    const reach = lines.slice(2, -2);
    // Every non-loopback IPv4 of this machine (if it has any) on one line, loopback on its own.
    if (reach.length === 2) expect(reach[0]).toMatch(/^-- friends connect with: swarm chat --peer \d+\.\d+\.\d+\.\d+:40211( or \d+\.\d+\.\d+\.\d+:40211)* --$/);
    expect(reach.at(-1)).toBe('-- on this machine: swarm chat --peer 127.0.0.1:40211 --');
    expect(lines.at(-2)).toBe('-- they see you by the name they gave your key --');
  });
});

