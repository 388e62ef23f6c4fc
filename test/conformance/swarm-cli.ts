/**
 * The peer under test: the built CLI (dist/cli.cjs, run `npm run build` first) as child
 * processes with their own SWARM_HOME. Independent of src/ like the rest of this folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url));
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

export type JsonEvent = { event?: string; [key: string]: unknown };

export function newHome(): string {
  return mkdtempSync(join(tmpdir(), 'swarm-conformance-'));
}

function env(home: string): NodeJS.ProcessEnv {
  const vars: NodeJS.ProcessEnv = { ...process.env, SWARM_HOME: home, SWARM_NO_NAT: '1' };
  delete vars.SWARM_DEBUG;
  return vars;
}

/** Runs a short command (`id`, `trust add`) and returns its stdout. */
export function swarm(home: string, args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: env(home), encoding: 'utf8', timeout: 30_000 });
}

/** A long-running `swarm … --json` whose JSON events can be awaited. */
export class SwarmProcess {
  readonly events: JsonEvent[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor(home: string, args: string[]) {
    this.child = spawn(process.execPath, [CLI, ...args, '--json'], { env: env(home), stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(this.child);
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line.startsWith('{')) this.events.push(JSON.parse(line) as JsonEvent);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr!.resume();
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The first event matching `test`; fails after `timeoutMs` naming what it waited for. */
  async waitFor(test: (event: JsonEvent) => boolean, what: string, timeoutMs = 20_000): Promise<JsonEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(test);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`no ${what} event; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }
}
