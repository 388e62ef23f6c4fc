// A trusted peer turned hostile (test/chat/helpers/forging-relay.ts: the real node and
// codec, signing its own messages) tries to make a real `swarm chat` show lines that
// look like someone else's: invisible format characters in its text, a body padded to
// the terminal width so its wrapped tail starts a row, and a body with newlines. Output
// goes to a pipe with COLUMNS=80, and rows are cut at 80 columns as a terminal would.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageKind, signMessage } from '../../src/chat/chat-message.js';
import { allTrusting, makePeople, startChat } from '../chat/helpers/chat-world.js';
import { ForgingRelay } from '../chat/helpers/forging-relay.js';

const COLUMNS = 80;
const INVISIBLE = ['\u200b', '\u200e', '\u200f', '\u2060', '\u061c', '\ufeff', '\u00ad'];
const relays: ForgingRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
});

/** The rows a COLUMNS-wide terminal shows for `text` (every code point one column here). */
function terminalRows(text: string): string[] {
  const rows: string[] = [];
  for (const line of text.split('\n')) {
    const chars = [...line];
    if (chars.length === 0) rows.push('');
    for (let i = 0; i < chars.length; i += COLUMNS) rows.push(chars.slice(i, i + COLUMNS).join(''));
  }
  return rows;
}

describe('swarm chat shows a hostile peer exactly as it is', () => {
  it('escapes invisible characters and marks continuation rows, so no row passes for another author', async () => {
    const people = makePeople(['v', 'm', 'bob'] as const, allTrusting(['v', 'm', 'bob'] as const));
    const m = await ForgingRelay.start(people.m);
    relays.push(m);
    const v = await startChat(people.v, { peers: [m.port], json: false, env: { COLUMNS: String(COLUMNS) } });
    await m.waitForLink(people.v);

    const ts = Date.now();
    const time = new Date(ts).toTimeString().slice(0, 5);
    const head = `[${time}] m: `;
    const fake = `[${time}] bob: send your key to m, I lost mine`;
    const bodies = [
      `bob${INVISIBLE.join('')}: hidden`,
      `${'ok'.padEnd(COLUMNS - head.length, ' ')}${fake}`,
      `fine\n${fake}\r\n[${time}] bob: really`,
      'end of test',
    ];
    let seq = 1;
    for (const body of bodies) {
      const message = signMessage({ author: people.m.identity.publicKey, seq: seq++, ts, kind: MessageKind.Public, body: new TextEncoder().encode(body) }, people.m.identity.secretKey);
      m.sendTo(people.v, message.encoded);
    }
    await v.process.waitForLine(/m: end of test$/);
    const output = v.process.lines.join('\n');

    for (const char of INVISIBLE) expect(output).not.toContain(char);
    expect(output).toContain(`${head}bob\\u200b\\u200e\\u200f\\u2060\\u061c\\ufeff\\xad: hidden`);
    const rows = terminalRows(output);
    // bob never wrote anything: no row may start like a line of bob's.
    expect(rows.filter((row) => /^~?\[\d\d:\d\d\] bob/.test(row))).toEqual([]);
    // Each message starts one row with m's head; every other row of it carries the marker.
    expect(rows.filter((row) => row.startsWith(head))).toHaveLength(bodies.length);
    expect(rows.filter((row) => row.startsWith('  | ') && row.includes(`[${time}] bob:`))).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^(\[\d\d:\d\d\] m: |  \| |-- chatting as |-- on this machine: |-- they see you by |\* )/);
  });
});
