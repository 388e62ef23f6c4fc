// Shared helpers for the share benchmarks (not a benchmark itself).
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeSync, closeSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
export const ROLES = fileURLToPath(new URL('./share-bench-roles.mjs', import.meta.url));
export const MiB = 1024 * 1024;

// Temp dirs (with their large payload files) are removed even when a run is interrupted.
const createdDirs = new Set();
const liveChildren = new Set();
process.once('exit', () => {
  for (const child of liveChildren) {
    // a timed child is /usr/bin/time: its own child (node) must go too
    try {
      for (const pid of readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
    child.kill('SIGKILL');
  }
  for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

export function tempDir(prefix = 'swarm-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  createdDirs.add(dir);
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** A file of `bytes` random bytes (written in 4 MiB chunks). */
export function randomFile(path, bytes) {
  const fd = openSync(path, 'w');
  const chunk = randomBytes(4 * MiB);
  for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  closeSync(fd);
  return path;
}

/** Users with homes that all trust each other (written with the project's own modules). */
export async function makeUsers(names) {
  const { loadOrCreateIdentity } = await import('../dist/identity/identity.js');
  const { TrustStore } = await import('../dist/identity/trust-store.js');
  const root = tempDir('swarm-bench-homes-');
  const users = names.map((name) => {
    const home = join(root, name);
    return { name, home, key: loadOrCreateIdentity(home).keyText };
  });
  for (const user of users) {
    const store = TrustStore.load(user.home);
    for (const other of users) if (other !== user) store.add(other.key, other.name);
  }
  return { users, root };
}

const parseJsonLine = (line) => (line.startsWith('{') ? JSON.parse(line) : undefined);

/**
 * A child process whose stdout JSON lines are timestamped on arrival. `waitFor(pred)`
 * resolves with { event, atMs } (ms since the child was spawned).
 */
export function startChild(args, { env = process.env, timed = false, netns, command = process.execPath, parse = parseJsonLine } = {}) {
  const startedAt = performance.now();
  // SHARE_BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to every child node.
  if (process.env.SHARE_BENCH_NODE_FLAGS) args = [...process.env.SHARE_BENCH_NODE_FLAGS.split(' '), ...args];
  // timed: run under /usr/bin/time so the child's own CPU seconds are known at exit.
  // netns: run inside that network namespace (`ip netns exec` execs the command: same pid).
  const argv = netns ? ['ip', 'netns', 'exec', netns, command, ...args] : [command, ...args];
  // NODE_EXTRA_CA_CERTS (set on the project's VMs, for their package mirrors) makes every node
  // process parse ~140 CA certificates as it starts: ~60 ms of CPU that neither swarm nor
  // webtorrent ever uses (no TLS), and that a user's machine does not have. Children run
  // without it, swarm and plain webtorrent alike (SHARE_BENCH_KEEP_CA_CERTS=1 keeps it).
  if (env.NODE_EXTRA_CA_CERTS && process.env.SHARE_BENCH_KEEP_CA_CERTS !== '1') {
    env = { ...env };
    delete env.NODE_EXTRA_CA_CERTS;
  }
  const child = timed
    ? spawn('/usr/bin/time', ['-f', 'CPU-SECONDS %U %S MAXRSS-KB %M', ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  const events = [];
  const waiters = [];
  let partial = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines) {
      const event = parse(line);
      if (event === undefined) continue;
      events.push({ event, atMs: performance.now() - startedAt });
      for (const w of [...waiters]) w();
    }
  });
  const exited = new Promise((resolve) => child.on('close', (code) => { for (const w of [...waiters]) w(); resolve(code); }));
  return {
    child,
    exited,
    events,
    get stderr() { return stderr; },
    /** CPU seconds (user + system) of a timed child, after it exited. */
    /** Peak RSS in MiB of a timed child, after it exited. */
    get maxRssMiB() {
      const match = /MAXRSS-KB (\d+)/.exec(stderr);
      return match ? Number(match[1]) / 1024 : NaN;
    },
    get cpuSeconds() {
      const match = /CPU-SECONDS ([\d.]+) ([\d.]+)/.exec(stderr);
      return match ? Number(match[1]) + Number(match[2]) : NaN;
    },
    startedAt,
    waitFor(pred, timeoutMs = 600_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((e) => pred(e.event));
          if (found) { cleanup(); return resolve(found); }
          if (child.exitCode !== null) { cleanup(); reject(new Error(`child exited before event: ${stderr.slice(-4000)}`)); }
        };
        const timer = setTimeout(() => { cleanup(); reject(new Error('timeout')); }, timeoutMs);
        const cleanup = () => { clearTimeout(timer); const i = waiters.indexOf(check); if (i >= 0) waiters.splice(i, 1); };
        waiters.push(check);
        check();
      });
    },
    /** Signals the node process (under /usr/bin/time, which ignores SIGINT, that is its child). */
    kill(signal = 'SIGINT') {
      if (child.exitCode !== null) return exited;
      let target = child.pid;
      if (timed) {
        try {
          target = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]) || child.pid;
        } catch {
          // already gone
        }
      }
      try {
        process.kill(target, signal);
      } catch {
        // already gone
      }
      return exited;
    },
  };
}

/** Peak RSS (VmHWM) of a running process in MiB, from /proc; 0 if gone. */
export function peakRssMiB(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a live process has used so far, from /proc. */
export function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

export const fileSha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * alice shares a fresh random file of `sizeMiB` on 127.0.0.1 (capped at `uploadLimit`), bob
 * will fetch it: the setup of the outage benches (recovery, roaming), which each put their own
 * relay between the two.
 */
export async function startTwoUserShare(sizeMiB, uploadLimit) {
  const { users: [alice, bob], root: homes } = await makeUsers(['alice', 'bob']);
  const dir = tempDir();
  const source = randomFile(join(dir, 'big.bin'), sizeMiB * MiB);
  const sourceHash = fileSha256(source);
  const share = startChild([CLI, 'share', source, '--json', '--host', '127.0.0.1', '--port', '0', '--upload-limit', uploadLimit], { env: { ...process.env, SWARM_HOME: alice.home } });
  const ready = (await share.waitFor((e) => e.event === 'ready')).event;
  return { alice, bob, homes, dir, sourceHash, share, ready };
}
