/**
 * Runs the built CLI (dist/cli.cjs, the bin) as a child process, the way a user or script
 * does. `npm test` builds first; running vitest alone needs `npm run build`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  home?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

export function cliEnv(home?: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // LAN beacons are off unless a test asks for them (SWARM_NO_LAN: '0' or '' in extra):
  // nodes of tests running at once must not find each other, nor beacon beyond loopback.
  // The DHT likewise (SWARM_NO_DHT: '0' with a private SWARM_DHT_BOOTSTRAP): never the public routers.
  // Likewise port mapping (SWARM_NO_NAT: '0' in extra turns it on): no NAT-PMP or SSDP
  // leaves a test unless it runs inside its own NAT lab.
  // Direct upgrades of relayed links too (SWARM_NO_DIRECT: '0'): a relay test keeps its transfer on the relay.
  const env: NodeJS.ProcessEnv = { ...process.env, SWARM_NO_LAN: '1', SWARM_NO_DHT: '1', SWARM_NO_NAT: '1', SWARM_NO_DIRECT: '1', ...extra };
  delete env.SWARM_DEBUG;
  if (home !== undefined) env.SWARM_HOME = home;
  return env;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run 'npm run build' first (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: options.env ?? cliEnv(options.home),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A failure as the contract says: one line on stderr, the given exit code, no stack trace. */
export function expectCleanFailure(result: CliResult, exitCode: number, pattern: RegExp): void {
  const lines = result.stderr.trimEnd().split('\n');
  if (result.code !== exitCode || lines.length !== 1 || !pattern.test(lines[0]!) || /\n\s+at /.test(result.stderr)) {
    throw new Error(`expected exit ${exitCode} and one stderr line matching ${pattern}, got exit ${result.code}:\n${result.stderr}`);
  }
}
