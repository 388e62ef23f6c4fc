/**
 * A running `swarm` child process: collects its stdout lines, parses the JSON ones,
 * and lets the caller wait for an event. Used by `swarm demo` (which drives real
 * CLI processes, like a user would) and by the end-to-end tests.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export interface JsonEvent {
  event?: string;
  [key: string]: unknown;
}

export interface CliChildOptions {
  /** Path of dist/cli.cjs (the bin). */
  cliPath: string;
  env: NodeJS.ProcessEnv;
  /** Command prefix, e.g. ['ip', 'netns', 'exec', 'ns1'] to run inside a namespace. */
  wrapper?: string[];
  /** 'inherit' shows the child's progress bar on the caller's terminal. */
  stderr?: 'pipe' | 'inherit';
}

export class CliChild {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly events: JsonEvent[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor(args: string[], options: CliChildOptions) {
    const command = [...(options.wrapper ?? []), process.execPath, options.cliPath, ...args];
    const stdio: StdioOptions = ['pipe', 'pipe', options.stderr ?? 'pipe'];
    this.child = spawn(command[0]!, command.slice(1), { env: options.env, stdio });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const complete = partial.split('\n');
      partial = complete.pop()!;
      for (const line of complete) this.addLine(line);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    this.child.stdin!.on('error', () => {}); // a child that already exited must not crash the caller
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.notify();
        resolve(code);
      }),
    );
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The first event (past or future) that matches; rejects after timeoutMs or when the child exits first. */
  waitForEvent(match: (event: JsonEvent) => boolean, timeoutMs = 20_000, what = 'event'): Promise<JsonEvent> {
    return this.waitFor(() => this.events.find(match), timeoutMs, what);
  }

  waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return this.waitFor(() => this.lines.find((line) => pattern.test(line)), timeoutMs, String(pattern));
  }

  /** The first match in stderr (so far or later); rejects after timeoutMs or when the child exits first. */
  waitForStderr(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return this.waitFor(() => pattern.exec(this.stderr)?.[0], timeoutMs, String(pattern));
  }

  async stop(signal: NodeJS.Signals = 'SIGINT', graceMs = 5000): Promise<number | null> {
    if (this.hasExited) return this.exited;
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
        if (this.hasExited) {
          const status = this.child.exitCode ?? this.child.signalCode;
          return finish(() => reject(new Error(`process exited (${status}) before ${what}: ${this.stderr.trim()}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out waiting for ${what}; last output: ${this.lines.slice(-5).join(' | ')} ${this.stderr.trim()}`))),
        timeoutMs,
      );
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
