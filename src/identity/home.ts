import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where swarm keeps its identity, trust store and history. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SWARM_HOME) return env.SWARM_HOME;
  const configRoot = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(configRoot, 'swarm');
}
