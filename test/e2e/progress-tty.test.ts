/**
 * On a real terminal (a pseudo-terminal from util-linux `script`): `swarm demo` shows the
 * getter's progress bar, and `swarm share` keeps one status line rewritten in place with
 * its event lines (who connected, who finished) printed above it, not a line per block.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH, cliEnv } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers } from '../share/cli-peers.js';
import { untilText } from '../helpers/until-text.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Runs `swarm <args>` on a pseudo-terminal; `output()` is everything the terminal received. */
function onTerminal(args: string[], home: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const quoted = [process.execPath, CLI_PATH, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', `stty cols 120 rows 30; ${quoted}`, '/dev/null'], { env: { ...cliEnv(home), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => text, exited };
}

describe('progress on a terminal', () => {
  it('swarm demo shows the progress bar of the download', async () => {
    const demo = onTerminal(['demo'], tempDir());
    expect(await demo.exited).toBe(0);
    const text = demo.output();
    expect(text).toMatch(/all 6 steps worked/);
    // cli-progress draws the bar while it moves (the demo caps the sharer), then the complete file with no speed.
    expect(text).toMatch(/[=█]+-* \d{1,2}% \| [\d.]+ (KiB|MiB)\/3\.0 MiB \| [\d.]+ (B|KiB|MiB)\/s \| ETA \d+s \| 1 peer/);
    expect(text).toMatch(/=+ 100% \| 3\.0 MiB\/3\.0 MiB \| complete \| 1 peer/);
  }, 120_000);

  it('swarm share rewrites one status line and prints who connected and finished above it', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'big.bin');
    writeFileSync(source, randomBytes(4 * 1024 * 1024));
    const share = onTerminal(['share', source, '--host', '127.0.0.1', '--port', '0', '--upload-limit', '2M'], alice!.home);
    await untilText(share.output, /magnet:\?\S+x\.key=swarm1\w+/, 30_000);
    const magnet = /magnet:\?\S+x\.key=swarm1\w+/.exec(share.output())![0];
    const getter = new CliProcess(['get', magnet, '-o', join(dir, 'out'), '--host', '127.0.0.1', '--json'], { home: bob!.home });
    expect(await getter.exited).toBe(0);
    await untilText(share.output, /bob finished big\.bin \(4\.0 MiB\) in \d+ s/, 10_000);
    share.child.kill('SIGINT');
    const text = share.output();
    // Status frames are rewritten in place (\r + clear line), each event on a line of its own above.
    expect(text).toMatch(/\r\x1b\[2Kbob connected\r?\n/);
    expect(text).toMatch(/\r\x1b\[2Kbob finished big\.bin \(4\.0 MiB\) in \d+ s\r?\n/);
    expect(text).toMatch(/\r\x1b\[2Kserving: 1 peer \(bob \d+%\), uploaded/);
    const newlines = text.split('\n').length;
    expect(newlines).toBeLessThan(20); // a line per piece would be dozens
  }, 60_000);
});
