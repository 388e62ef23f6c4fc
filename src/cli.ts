#!/usr/bin/env node
import { buildProgram, commanderExitCode, CommanderError } from './cli/program.js';
import { reportError } from './ui/report-error.js';

// `swarm id | head -1` closes our stdout early; that is the reader's choice, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
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
