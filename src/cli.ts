#!/usr/bin/env node
import { buildProgram, commanderExitCode, CommanderError } from './cli/program.js';
import { reportError } from './ui/report-error.js';

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    return reportError(error);
  }
}

// Long-running commands (share, chat) keep the process alive themselves and set
// process.exitCode when they finish; short ones end here.
main(process.argv).then((code) => {
  if (code !== 0) process.exit(code);
});
