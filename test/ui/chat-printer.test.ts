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
const connected = { snapshot: () => ({ peers: [bob] }) };

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
      { event: 'ready', host: '127.0.0.1', port: 7000, key: 'swarm1me' },
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
    printer.peerList([bob, { ...bob, key: 'swarm1cy', name: 'cy', isInitiator: false }]);
    printer.peerList([]);
    printer.trustList([{ name: 'bob', key: 'swarm1bob' }, { name: 'cy', key: 'swarm1cy' }]);
    printer.trustList([]);
    printer.error('bad\u001b[31m');
    printer.dialError('127.0.0.9:7000', 'connect ECONNREFUSED');
    printer.rateLimited({ key: 'swarm1eve', name: 'eve' });
    const lines = printed(printer).split('\n');
    expect(lines.slice(0, 12)).toEqual([
      '-- chatting as ab:cd on 127.0.0.1:7000; /help for commands --',
      '* bob connected (127.0.0.2:7001)',
      '* b\\x07ob disconnected (127.0.0.2:7001)',
      '* bob  127.0.0.2:7001  outbound',
      '* cy  127.0.0.2:7001  inbound',
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
