/**
 * `swarm pair`: without a code, wait for one pairing and print the code; with a code,
 * join the waiting side. Both end with each other's key in the trust store, written once,
 * atomically, and only after both people confirmed the same words: Ctrl-C, a wrong code,
 * a decline or the expiry at any point before that leaves the trust store untouched.
 *
 * Rendezvous: the code's number selects the pairing at an address; the joining side finds
 * that address with --peer host:port, or on the local network by beacons keyed by the
 * number (discovery/pairing-rendezvous.ts). The exchange itself lives in pair-run.ts,
 * loaded only when `swarm pair` runs.
 */
import type { Command } from 'commander';
import { parseDurationMs } from '../ui/parse-duration.js';
import type { DiscoveryOptions } from './discovery-options.js';
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
    .option('--peer <host:port>', 'joining: the address of the machine that printed the code (default: found on the local network by the code)', collectPeer)
    .option('--no-lan', 'do not beacon or look for the other side on the local network (also SWARM_NO_LAN=1)');
  command
    .addHelpText(
      'after',
      '\nExamples:\n  $ swarm pair --name bob                                        prints a code and waits' +
      '\n  $ swarm pair 7-crossover-clockwork-indigo --name alice         joins, on the same network' +
      '\n  $ swarm pair 7-crossover-clockwork-indigo --peer 192.168.1.20:7927 --name alice' +
      '\n\nOn one network the code alone finds the waiting machine (LAN beacons keyed by its number);' +
      '\nelsewhere give its address with --peer.',
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
