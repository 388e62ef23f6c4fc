import type { Command } from 'commander';
import { errors } from '../errors.js';
import { createDemoWorld } from '../demo/demo-world.js';
import { DemoSession } from '../demo/demo-steps.js';
import { formatError } from '../ui/report-error.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a real local end-to-end session: identities, trust, share, get, chat, a refused stranger')
    .option('--keep', 'keep the temp directory afterwards, to look at the homes and files')
    .addHelpText('after', '\nExample:\n  $ swarm demo        (npm start does the same after building)')
    .action(async (options: { keep?: boolean }) => {
      const world = createDemoWorld();
      const session = new DemoSession(world, process.stderr.isTTY === true);
      const steps = session.steps();
      process.stdout.write(`swarm demo: real swarm processes on 127.0.0.1-4, homes in ${world.root}\n`);
      let failure: unknown;
      try {
        for (const [index, step] of steps.entries()) {
          process.stdout.write(`\n[${index + 1}/${steps.length}] ${step.title}\n`);
          const proved = await step.run();
          process.stdout.write(`  ok: ${proved}\n`);
        }
      } catch (error) {
        failure = error;
      } finally {
        await session.stopAll();
        if (!options.keep) world.cleanUp();
      }
      if (failure) {
        process.stdout.write(`  FAILED: ${formatError(failure).replace(/^swarm: /, '')}\n`);
        throw errors.demoFailed('the demo did not complete', 'the step above says what went wrong; npm test runs the same paths with more detail');
      }
      process.stdout.write(`\nall ${steps.length} steps worked; ${options.keep ? `kept ${world.root}` : 'cleaned up'}.\n`);
    });
}
