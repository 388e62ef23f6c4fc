/**
 * A long-running CLI child (share, get --seed, chat) for end-to-end tests: the
 * demo's CliChild, pointed at dist/cli.cjs (the bin) and always killed at teardown.
 */
import { afterEach } from 'vitest';
import { CliChild } from '../../src/demo/cli-child.js';
import { CLI_PATH, cliEnv } from './cli.js';

export type { JsonEvent } from '../../src/demo/cli-child.js';

export interface CliProcessOptions {
  home: string;
  /** Command prefix, e.g. ['ip', 'netns', 'exec', 'ns1'] to run inside a namespace. */
  wrapper?: string[];
  env?: NodeJS.ProcessEnv;
}

const running = new Set<CliChild>();

export class CliProcess extends CliChild {
  constructor(args: string[], options: CliProcessOptions) {
    super(args, { cliPath: CLI_PATH, env: options.env ?? cliEnv(options.home), wrapper: options.wrapper });
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }
}

afterEach(async () => {
  await Promise.all([...running].map((child) => child.stop('SIGKILL', 1000)));
});
