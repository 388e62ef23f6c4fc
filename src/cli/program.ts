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

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('swarm')
    .description('private peer-to-peer file sharing and chat among people who trust each other\'s keys')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`swarm: ${text.trim().replace(/^error: /, '')} (see 'swarm --help')\n`),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ swarm id                                  your key, to give to friends
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
  return program;
}

/** Exit code for an error thrown by commander itself (help and version are not failures). */
export function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
  return 2;
}

export { CommanderError };
