/**
 * The command tree. Commander's own errors (unknown option, missing argument) are
 * usage errors: one line on stderr, exit 2. Every command module registers itself
 * here with one line.
 */
import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

/**
 * Each command's module (and everything it imports) is loaded only when that command runs:
 * a Node process pays for every module it loads, so `swarm id` does not load the network
 * stack, nor `swarm get` the chat. Help and unknown commands load them all (in this order).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  id: () => import('./id-command.js').then((m) => m.registerIdCommand),
  trust: () => import('./trust-command.js').then((m) => m.registerTrustCommand),
  demo: () => import('./demo-command.js').then((m) => m.registerDemoCommand),
  chat: () => import('./chat-command.js').then((m) => m.registerChatCommand),
  share: () => import('./share-command.js').then((m) => m.registerShareCommand),
  get: () => import('./get-command.js').then((m) => m.registerGetCommand),
  pair: () => import('./pair-command.js').then((m) => m.registerPairCommand),
  relay: () => import('./relay-command.js').then((m) => m.registerRelayCommand),
};

/** The command names, for the launcher's code cache (one cache file per command; scripts/bundle-cli.mjs). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export const VERSION = '0.1.0';

/** The command tree for `argv` (process.argv): only the named command, or all of them. */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const named = argv[2];
  const isVersion = named === '--version' || named === '-V';
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : isVersion ? [] : Object.keys(COMMANDS);
  const registers = await Promise.all(names.map((name) => COMMANDS[name]!()));
  const program = new Command();
  program
    .name('swarm')
    .description('private peer-to-peer file sharing and chat among people who trust each other\'s keys')
    .version(VERSION)
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ swarm id                                  your key, to give to friends
  $ swarm pair --name alice                   trust each other by a short spoken code
  $ swarm trust add swarm1abc… --name alice   accept alice's key
  $ swarm demo                                a local end-to-end demo

SWARM_HOME selects the directory holding your keys (default ~/.config/swarm).
`,
    );
  for (const register of registers) register(program);
  pointErrorsAtOwnHelp(program);
  return program;
}

/** A usage error names the help of the command it happened in: `swarm get` -> 'swarm get --help'. */
function pointErrorsAtOwnHelp(command: Command, path = 'swarm'): void {
  command.configureOutput({
    outputError: (text, write) => write(`swarm: ${text.trim().replace(/^error: /, '')} (see '${path} --help')\n`),
  });
  for (const sub of command.commands) pointErrorsAtOwnHelp(sub, `${path} ${sub.name()}`);
}

/**
 * Exit code for an error thrown by commander itself. Asked-for help and version are not
 * failures; help shown because no command was given (`swarm`, `swarm trust`) is a usage error.
 */
export function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
  if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
  return 2;
}

export { CommanderError };
