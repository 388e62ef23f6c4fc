/**
 * `swarm pair`: without a code, wait for one pairing and print the code; with a code,
 * join the waiting side. Both end with each other's key in the trust store, written once,
 * atomically, and only after both people confirmed the same words: Ctrl-C, a wrong code,
 * a decline or the expiry at any point before that leaves the trust store untouched.
 *
 * Rendezvous: the code's number selects the pairing at an address; the joining side finds
 * that address with --peer host:port, or by the number on the LAN and in the DHT
 * (cli/pair-rendezvous.ts). The exchange itself lives in pair-run.ts,
 * loaded only when `swarm pair` runs.
 */
import type { Command } from 'commander';
import { parseDurationMs } from '../ui/parse-duration.js';
import { addDiscoveryOptions, type DiscoveryOptions } from './discovery-options.js';
import { parsePeerOption, parsePort } from './node-options.js';
import { DEFAULT_PORT } from '../net/swarm-node.js';

export interface PairOptions extends DiscoveryOptions {
  name?: string;
  port?: number;
  host?: string;
  peer?: string[];
  json?: boolean;
  yes?: boolean;
  timeout?: number;
}

export function registerPairCommand(program: Command): void {
  const command = program
    .command('pair [code]')
    .description('pair with someone by a short spoken code: each of you ends up trusting the other\'s key')
    .option('--name <name>', "the name the other person gets in your trust store (default: derived from their key)")
    .option('--json', 'print one JSON event a line: code, verify, paired')
    .option('--yes', 'do not ask to confirm the words (for scripts)')
    .option('--timeout <duration>', 'how long the code lives, e.g. 90s or 10m (default 10m)', parseDurationMs)
    .option('--port <n>', `waiting: TCP port to listen on (default ${DEFAULT_PORT}, or any free port if that is taken)`, parsePort)
    .option('--host <addr>', 'waiting: address to listen on (default: all interfaces); joining: address to connect from')
    .option('--peer <host:port>', 'joining: the address of the machine that printed the code (default: found by the code, on the local network and in the DHT)', collectPeer);
  addDiscoveryOptions(command);
  command
    .addHelpText(
      'after',
      '\nExamples:\n  $ swarm pair --name bob                                        prints a code and waits' +
      '\n  $ swarm pair 7-crossover-clockwork-indigo --name alice         joins: finds the waiting side by the code' +
      '\n  $ swarm pair 7-crossover-clockwork-indigo --peer 192.168.1.20:7927 --name alice' +
      '\n\nThe code alone finds the waiting machine: by LAN beacons and in the Mainline DHT, both keyed' +
      '\nby its number only (codes announced in the DHT have a number from 1000 up). --peer always works.',
    )
    .action(async (code: string | undefined, options: PairOptions) => {
      // Loaded on demand, so that the curve library does not slow down every other command's start.
      const { runPair } = await import('./pair-run.js');
      await runPair(code, options);
    });
}

function collectPeer(value: string, previous: string[] | undefined): string[] {
  parsePeerOption(value);
  return [...(previous ?? []), value];
}
