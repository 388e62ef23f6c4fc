/** A home's own key and the keys it trusts, read through the real CLI's --json output. */
import { runCli } from './cli.js';

export async function keyOf(home: string): Promise<string> {
  return (JSON.parse((await runCli(['id', '--json'], { home })).stdout) as { key: string }).key;
}

export async function trustedKeys(home: string): Promise<string[]> {
  return (JSON.parse((await runCli(['trust', 'list', '--json'], { home })).stdout) as { key: string }[]).map((entry) => entry.key);
}
