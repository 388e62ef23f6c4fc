/**
 * The command tree. Commander's own errors (unknown option, missing argument) are
 * usage errors: one line on stderr, exit 2. Every command module registers itself
 * here with one line.
 */
import { Command, CommanderError } from 'commander';
import { registerIdCommand } from './id-command.js';
import { registerTrustCommand } from './trust-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerChatCommand } from './chat-command.js';
import { registerShareCommand } from './share-command.js';
import { registerGetCommand } from './get-command.js';
import { registerPairCommand } from './pair-command.js';
import { registerRelayCommand } from './relay-command.js';

export const VERSION = '0.1.0';

export function buildProgram(): Command {
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
  registerIdCommand(program);
  registerTrustCommand(program);
  registerDemoCommand(program);
  registerChatCommand(program);
  registerShareCommand(program);
  registerGetCommand(program);
  registerPairCommand(program);
  registerRelayCommand(program);
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
