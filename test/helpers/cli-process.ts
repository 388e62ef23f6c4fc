/**
 * A long-running CLI child (share, get --seed, chat): collects stdout lines, parses
 * the JSON ones, lets a test wait for an event, and is always killed at teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { CLI_PATH, cliEnv } from './cli.js';

export interface JsonEvent {
  event?: string;
  [key: string]: unknown;
}

export interface CliProcessOptions {
  home: string;
  /** Command prefix, e.g. ['ip', 'netns', 'exec', 'ns1'] to run inside a namespace. */
  wrapper?: string[];
  env?: NodeJS.ProcessEnv;
}

const running = new Set<CliProcess>();

export class CliProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly events: JsonEvent[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor(args: string[], options: CliProcessOptions) {
    const command = [...(options.wrapper ?? []), process.execPath, CLI_PATH, ...args];
    this.child = spawn(command[0]!, command.slice(1), { env: options.env ?? cliEnv(options.home), stdio: ['pipe', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const complete = partial.split('\n');
      partial = complete.pop()!;
      for (const line of complete) this.addLine(line);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    this.exited = new Promise((resolve) => this.child.on('close', (code) => {
      running.delete(this);
      this.notify();
      resolve(code);
    }));
    running.add(this);
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Resolves with the first event (past or future) that matches; rejects after timeoutMs or on exit. */
  waitForEvent(match: (event: JsonEvent) => boolean, timeoutMs = 20_000, what = 'event'): Promise<JsonEvent> {
    return this.waitFor(() => this.events.find(match), timeoutMs, what);
  }

  waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return this.waitFor(() => this.lines.find((line) => pattern.test(line)), timeoutMs, String(pattern));
  }

  async stop(signal: NodeJS.Signals = 'SIGINT', graceMs = 5000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) return finish(() => resolve(found));
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          return finish(() => reject(new Error(`process exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}; stderr: ${this.stderr}`)));
        }
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}; stdout: ${this.lines.slice(-10).join(' | ')}; stderr: ${this.stderr}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        settle();
      };
      this.waiters.push(check);
      check();
    });
  }

  private addLine(line: string): void {
    this.lines.push(line);
    if (line.startsWith('{')) {
      try {
        this.events.push(JSON.parse(line) as JsonEvent);
      } catch {
        // not JSON after all; kept in lines
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

afterEach(async () => {
  await Promise.all([...running].map((child) => child.stop('SIGKILL', 1000)));
});
