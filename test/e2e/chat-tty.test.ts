// `swarm chat` on a real terminal (a pseudo-terminal from util-linux `script`): a line
// that arrives while the user is typing is printed above the prompt, and the half-typed
// input is redrawn and sent intact; a long message is wrapped at the real terminal width by
// swarm itself, each continuation row marked.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH, cliEnv } from '../helpers/cli.js';
import { allTrusting, makePeople, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';
import { untilText } from '../helpers/until-text.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Chat "a" (a piped CLI) and chat "t" on a real terminal through `script`, linked to a. */
async function startTtyChat(shellPrefix: string) {
  const people = makePeople(['a', 't'] as const, allTrusting(['a', 't'] as const));
  const a = await startChat(people.a);
  const command = `${shellPrefix}'${process.execPath}' '${CLI_PATH}' chat --host 127.0.0.1 --port 0 --peer 127.0.0.1:${a.port}`;
  const tty = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...cliEnv(people.t.home), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(tty);
  let output = '';
  tty.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const screen = () => output;
  await untilText(screen, /chatting as/);
  await waitForPeers(a.process, 1);
  return { a, tty, screen };
}

describe('swarm chat on a TTY', () => {
  it('prints incoming lines above the prompt without garbling what is being typed', async () => {
    const { a, tty, screen } = await startTtyChat('');

    tty.stdin!.write('hel');
    await untilText(screen, /> (\x1b\[\d+G)?hel/);
    a.process.send('incoming while typing');
    await untilText(screen, /incoming while typing[\s\S]*> hel/);
    const afterIncoming = screen().slice(screen().indexOf('incoming while typing'));
    // The incoming line was written on a cleared line, then the prompt came back with "hel".
    expect(screen()).toMatch(/\x1b\[2K\x1b\[1G\[\d\d:\d\d\] a: incoming while typing/);
    expect(afterIncoming).toMatch(/> hel/);
    tty.stdin!.write('lo\r');
    await waitForMessage(a.process, 'hello');
    tty.stdin!.write('/quit\r');
    const code = await new Promise((resolve) => tty.on('close', resolve));
    expect(code).toBe(0);
  });

  it('wraps a long message at the real terminal width itself, marking each continuation row', async () => {
    const { a, tty, screen } = await startTtyChat('stty cols 50 rows 20; ');
    const long = `${'w'.repeat(60)}[12:00] b: fake${'z'.repeat(30)}`;
    a.process.send(long);
    await untilText(screen, /z\r\n[\s\S]*> /);
    const printed = screen().slice(screen().lastIndexOf('] a: '));
    // Rows of at most 49 columns, every one after the first starting with the marker.
    const rows = printed.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(/\r?\n/).filter((row) => /[wz]|fake/.test(row));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows.slice(1)) expect(row.startsWith('  | ')).toBe(true);
    for (const row of rows) expect(row.length).toBeLessThan(50);
    expect(rows.map((row, i) => (i === 0 ? row.slice(row.indexOf('] a: ') + 5) : row.slice(4))).join('')).toBe(long);
    tty.stdin!.write('/quit\r');
    expect(await new Promise((resolve) => tty.on('close', resolve))).toBe(0);
  });
});
