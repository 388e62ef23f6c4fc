/**
 * A private DHT for tests: `count` real bittorrent-dht nodes on loopback, in ONE child
 * process (bench/private-dht.mjs, which the discovery bench runs too), never linked to the
 * public DHT. The child dies with stdin, and after maxLifetimeMs in any case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../../bench/private-dht.mjs', import.meta.url));

export interface PrivateDht {
  nodes: { host: string; port: number }[];
  /** host:port of a few nodes, for SWARM_DHT_BOOTSTRAP. */
  bootstrap: string;
  /** Env for a CLI child that should use this DHT (and no other). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** `subnet`: the first three octets, e.g. '127.0.41' (nodes take .1 … .count). */
/** `wrapper`: a command prefix, e.g. ['ip', 'netns', 'exec', ns] to run the nodes in a namespace. */
export async function startPrivateDht(options: { count: number; subnet: string; capturePath?: string; maxLifetimeMs?: number; startTimeoutMs?: number; wrapper?: string[] }): Promise<PrivateDht> {
  const args = [CHILD, String(options.count), options.subnet, String(options.maxLifetimeMs ?? 300_000), ...(options.capturePath ? [options.capturePath] : [])];
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  const child: ChildProcess = spawn(command!, [...prefix, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const nodes = await new Promise<{ host: string; port: number }[]>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('private DHT did not start in time'));
    }, options.startTimeoutMs ?? 30_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve((JSON.parse(line!) as { nodes: { host: string; port: number }[] }).nodes);
      }
    });
    child.once('exit', (code) => reject(new Error(`private DHT exited with ${code}`)));
  });
  const bootstrap = nodes.slice(0, 3).map((n) => `${n.host}:${n.port}`).join(',');
  return {
    nodes,
    bootstrap,
    env: { SWARM_NO_DHT: '0', SWARM_DHT_BOOTSTRAP: bootstrap },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin!.end();
      }),
  };
}
